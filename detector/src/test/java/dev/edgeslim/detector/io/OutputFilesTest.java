package dev.edgeslim.detector.io;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputFilesTest {
    @Test
    void earlierOutputsOfTheSameKindMayBeReplaced(@TempDir Path dir) throws Exception {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov3-tiny.cfg")).withInputSize(64, 64);
        Path cfg = dir.resolve("m.cfg");
        Path weights = dir.resolve("m.weights");
        CfgWriter.write(spec, cfg);
        DarknetWeights.write(WeightInitializer.forTesting(spec, 1), spec, weights);
        assertDoesNotThrow(() -> OutputFiles.checkReplaceable(cfg, OutputFiles.DARKNET_CFG, false));
        assertDoesNotThrow(() -> OutputFiles.checkReplaceable(weights, OutputFiles.DARKNET_WEIGHTS, false));
        // the upstream cfg starts with comments before [net]
        assertDoesNotThrow(() -> OutputFiles.checkReplaceable(ReferenceFiles.cfg("yolov4.cfg"),
                OutputFiles.DARKNET_CFG, false));
        assertDoesNotThrow(() -> OutputFiles.checkReplaceable(dir.resolve("absent.tflite"), OutputFiles.TFLITE,
                false));
        // a cfg is not weights, nor weights a cfg
        assertThrows(BadInputException.class, () -> OutputFiles.checkReplaceable(cfg, OutputFiles.DARKNET_WEIGHTS,
                false));
        assertThrows(BadInputException.class, () -> OutputFiles.checkReplaceable(weights, OutputFiles.DARKNET_CFG,
                false));
    }

    @Test
    void aForeignFileIsRefusedUnlessForcedAndLeftAsItWas(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.tflite");
        Files.writeString(text, "hello, these are my notes\n");
        for (OutputFiles.Kind kind : new OutputFiles.Kind[] {OutputFiles.TFLITE, OutputFiles.DARKNET_CFG,
                OutputFiles.DARKNET_WEIGHTS, OutputFiles.IMAGE, OutputFiles.PNG, OutputFiles.JSON,
                OutputFiles.MARKDOWN, OutputFiles.VOC_RESULTS}) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> OutputFiles.checkReplaceable(text, kind, false), kind.description());
            assertTrue(e.getMessage().startsWith(text + ": exists and is not " + kind.description()), e.getMessage());
            assertTrue(e.getMessage().contains("--force"), e.getMessage());
            assertDoesNotThrow(() -> OutputFiles.checkReplaceable(text, kind, true));
        }
        assertEquals("hello, these are my notes\n", Files.readString(text));
    }

    @Test
    void aFolderOrALinkIsNeverTakenForAnEarlierOutput(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("out.json"));
        assertThrows(BadInputException.class, () -> OutputFiles.checkReplaceable(folder, OutputFiles.JSON, true));
        Path target = dir.resolve("real.json");
        Files.writeString(target, "{}\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), target);
        assertThrows(BadInputException.class, () -> OutputFiles.checkReplaceable(link, OutputFiles.JSON, false));
        assertDoesNotThrow(() -> OutputFiles.checkReplaceable(target, OutputFiles.JSON, false));
    }
}
