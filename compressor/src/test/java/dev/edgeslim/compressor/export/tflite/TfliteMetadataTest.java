package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TfliteMetadataTest {

    private static TfliteMetadata exported() {
        NetworkSpec spec = TfliteExportParityTest.allFeatures();
        return TfliteExporter.export(spec, WeightInitializer.forTesting(spec, 1),
                ExportOptions.fp32().withClassNames(List.of("thing"))).metadata();
    }

    @Test
    void describesTheHeadsAndRoundTrips(@TempDir Path dir) throws Exception {
        TfliteMetadata m = exported();
        assertEquals("fp32", m.precision());
        assertEquals(48, m.input().width());
        assertEquals(40, m.input().height());
        assertEquals("float32", m.input().dtype());
        assertNull(m.input().quantization());
        assertEquals(List.of("thing"), m.classNames());
        assertEquals(2, m.heads().size());
        TfliteMetadata.Head first = m.heads().get(0);
        assertEquals(13, first.layer());
        assertEquals(List.of(List.of(81.0, 82.0), List.of(135.0, 169.0), List.of(344.0, 319.0)), first.anchors());
        assertEquals(1.05, first.scaleXY());
        assertEquals(List.of(1, 3, 4, 18), first.shape());
        assertEquals(40 / 3, first.stride());
        assertEquals(0, first.outputIndex());
        TfliteMetadata.Head second = m.heads().get(1);
        assertEquals(List.of(1, 10, 12, 18), second.shape());
        assertEquals(4, second.stride());
        assertEquals(1, second.outputIndex());

        Path file = dir.resolve("m.tflite.json");
        m.write(file);
        assertEquals(m, TfliteMetadata.read(file));
        String json = Files.readString(file);
        for (String field : List.of("format_version", "letterbox_grey", "scale_x_y", "output_index", "class_names",
                "grid_height", "grid_width", "values_per_anchor", "color_order")) {
            assertTrue(json.contains("\"" + field + "\""), field);
        }
        assertTrue(json.contains("\"scale_x_y\" : 1.05"), json);
    }

    @Test
    void malformedOrHostileJsonIsABadInputNamingTheFile(@TempDir Path dir) throws Exception {
        String good = exported().toJson();
        List<String> bad = List.of(
                "",
                "not json",
                "[]",
                "null",
                good.replace("\"edgeslim-tflite-yolo\"", "\"other\""),
                good.replace("\"format_version\" : " + TfliteMetadata.FORMAT_VERSION, "\"format_version\" : 99"),
                good.replace("\"precision\" : \"fp32\"", "\"precision\" : \"int4\""),
                good.replace("\"width\" : 48", "\"width\" : -48"),
                good.replace("\"width\" : 48", "\"width\" : 1e400"),
                good.replace("\"width\" : 48", "\"width\" : \"wide\""),
                good.replace("\"layout\" : \"NHWC\"", "\"layout\" : \"NCHW\""),
                good.replace("\"scale_x_y\" : 1.05", "\"scale_x_y\" : NaN"),
                good.replace("\"dtype\" : \"float32\",\n    \"quantization\" : null", "\"dtype\" : \"int8\",\n    \"quantization\" : null"),
                good.replace("\"output_index\" : 1", "\"output_index\" : 0"),
                good.replace("\"class_names\" : [ \"thing\" ]", "\"class_names\" : [ \"a\", \"b\" ]"),
                good.replace("\"values_per_anchor\" : 6", "\"values_per_anchor\" : 7"),
                good.replace("\"heads\" :", "\"headz\" :"),
                good + "{}",
                "[".repeat(5000) + "]".repeat(5000),
                "{\"format\":\"" + "x".repeat(2 << 20) + "\"}");
        for (int i = 0; i < bad.size(); i++) {
            String text = bad.get(i);
            assertFalse(i >= 4 && i < 17 && text.equals(good), "case " + i + " did not change the JSON");
            Path file = dir.resolve("bad" + i + ".json");
            Files.writeString(file, text);
            BadInputException e = assertThrows(BadInputException.class, () -> TfliteMetadata.read(file), "case " + i);
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
        assertThrows(BadInputException.class, () -> TfliteMetadata.read(dir.resolve("missing.json")));
    }
}
