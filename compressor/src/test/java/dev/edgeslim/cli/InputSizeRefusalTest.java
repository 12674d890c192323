package dev.edgeslim.cli;

import dev.edgeslim.detector.ReferenceFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A --size the network cannot run at is bad input naming the cfg (exit 2), not a runtime failure. */
class InputSizeRefusalTest {
    @Test
    void detectRefusesASizeWhoseRouteInputsDisagree(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("tiny.cfg");
        Path weights = dir.resolve("tiny.weights");
        CliRunner created = CliRunner.run("create-model", "--arch", "yolov4-tiny", "--size", "224", "--out",
                cfg.toString(), "--weights-out", weights.toString());
        assertEquals(0, created.code(), created.err());
        Path samples = ReferenceFiles.root().getParent().resolve("android-demo/src/main/assets/samples");
        Path image;
        try (var files = Files.list(samples)) {
            image = files.sorted().findFirst().orElseThrow();
        }
        Path out = dir.resolve("out.jpg");
        // at 100 the upsampled 7x7 map meets an 8x8 one at yolov4-tiny's second head
        CliRunner r = CliRunner.run("detect", "--cfg", cfg.toString(), "--weights", weights.toString(), "--size",
                "100", "--image", image.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError(), r.err());
        assertTrue(r.err().contains("edgeslim detect: " + cfg + ": does not work at input size 100"), r.err());
        assertFalse(Files.exists(out), "nothing is written");
    }
}
