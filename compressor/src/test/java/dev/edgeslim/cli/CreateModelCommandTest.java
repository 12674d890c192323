package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.model.builtin.BuiltinModels;
import dev.edgeslim.detector.model.builtin.WidthScaling;
import dev.edgeslim.detector.weights.DarknetWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreateModelCommandTest {

    /** Exit code plus captured streams of one {@code edgeslim} invocation. */
    private record Result(int code, String out, String err) {
    }

    private static Result edgeslim(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new EdgeSlim().run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void derivesAModelFromAnUpstreamCfgAtAnotherWidthClassesAndSize(@TempDir Path dir) throws Exception {
        Path upstream = ReferenceFiles.cfg("yolov4-csp.cfg");
        Path cfg = dir.resolve("csp.cfg");
        Path weights = dir.resolve("csp.weights");
        Result created = edgeslim("create-model", "--from", upstream.toString(), "--width", "0.25", "--classes",
                "3", "--size", "256", "--out", cfg.toString(), "--weights-out", weights.toString(), "--json");
        assertEquals(0, created.code(), created.err());
        JsonNode json = Json.MAPPER.readTree(created.out());
        NetworkSpec expected = WidthScaling.scale(CfgParser.parse(upstream), 0.25, 3).withInputSize(256, 256);
        assertEquals("yolov4-csp-w0.25", json.get("arch").asText());
        assertEquals(3, json.get("classes").asInt());
        assertEquals(256, json.get("size").asInt());
        assertEquals(expected.totalParams(), json.get("params").asLong());
        assertEquals(expected, CfgParser.parse(cfg));
        DarknetWeights.read(weights, expected);
        Result info = edgeslim("info", cfg.toString(), "--weights", weights.toString());
        assertEquals(0, info.code(), info.err());

        // without --width or --classes: the cfg's own (80 classes), at its own size
        Result same = edgeslim("create-model", "--from", upstream.toString(), "--out", dir.resolve("same.cfg")
                .toString(), "--json");
        assertEquals(0, same.code(), same.err());
        assertEquals(CfgParser.parse(upstream).totalParams(), Json.MAPPER.readTree(same.out()).get("params")
                .asLong());
        assertEquals(80, Json.MAPPER.readTree(same.out()).get("classes").asInt());
    }

    @Test
    void fromAndArchAreOneChoiceAndABadCfgIsNamed(@TempDir Path dir) throws Exception {
        String out = dir.resolve("m.cfg").toString();
        for (String[] args : List.of(
                new String[]{"create-model", "--out", out},
                new String[]{"create-model", "--arch", "yolov4", "--from", "x.cfg", "--out", out},
                new String[]{"create-model", "--arch", "yolov4", "--width", "0.5", "--out", out})) {
            Result r = edgeslim(args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        Path headless = dir.resolve("headless.cfg");
        Files.writeString(headless, "[net]\nwidth=64\nheight=64\nchannels=3\n[convolutional]\nfilters=8\nsize=3\n"
                + "stride=1\npad=1\nactivation=leaky\n");
        Result r = edgeslim("create-model", "--from", headless.toString(), "--width", "0.5", "--out", out);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().strip().startsWith("edgeslim create-model: " + headless + ": ") && r.err().contains(
                "no [yolo]"), r.err());
        assertFalse(Files.exists(Path.of(out)), "nothing is written");
    }

    @Test
    void writesACfgAndWeightsThatInfoReads(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("models/tiny.cfg");
        Path weights = dir.resolve("models/tiny.weights");
        Result created = edgeslim("create-model", "--arch", "yolov4-tiny-w0.5", "--size", "320", "--out",
                cfg.toString(), "--weights-out", weights.toString(), "--seed", "3", "--json");
        assertEquals(0, created.code(), created.err());
        JsonNode json = Json.MAPPER.readTree(created.out());
        NetworkSpec expected = BuiltinModels.yolov4Tiny(20, 320, 320, 0.5);
        assertEquals("yolov4-tiny-w0.5", json.get("arch").asText());
        assertEquals(20, json.get("classes").asInt());
        assertEquals(320, json.get("size").asInt());
        assertEquals(expected.size(), json.get("layers").asInt());
        assertEquals(expected.totalParams(), json.get("params").asLong());
        assertEquals(expected.totalFlops() / 1e9, json.get("bflops").asDouble(), 1e-9);
        assertEquals(cfg.toString(), json.get("cfg").asText());
        assertEquals(weights.toString(), json.get("weights").asText());
        assertEquals(3, json.get("seed").asInt());
        assertEquals(expected, CfgParser.parse(cfg));
        // written atomically: exactly the two files, no temp files left behind
        assertEquals(List.of("tiny.cfg", "tiny.weights"), listing(cfg.getParent()));

        Result info = edgeslim("info", cfg.toString(), "--weights", weights.toString(), "--json");
        assertEquals(0, info.code(), info.err());
        JsonNode total = Json.MAPPER.readTree(info.out()).get("total");
        assertEquals(json.get("params").asLong(), total.get("params").asLong());
        assertEquals(json.get("layers").asInt(), total.get("layers").asInt());
        assertEquals(DarknetWeights.expectedFloats(expected),
                Json.MAPPER.readTree(info.out()).get("weights").get("floats").asLong());
    }

    private static List<String> listing(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void defaultsAreTwentyClassesAt416AndTheSummaryNamesTheNumbers(@TempDir Path dir) {
        Path cfg = dir.resolve("v4.cfg");
        Result created = edgeslim("create-model", "--arch", "yolov4-w0.25-d0.33", "--out", cfg.toString());
        assertEquals(0, created.code(), created.err());
        NetworkSpec spec = CfgParser.parse(cfg);
        assertEquals(416, spec.net().width());
        for (int i : spec.yoloLayers()) {
            assertEquals(20, ((YoloLayer) spec.layer(i)).classes());
        }
        assertTrue(created.out().contains(String.format("%,d params", spec.totalParams())), created.out());
        assertTrue(created.out().contains(String.format("%.3f BFLOPs", spec.totalFlops() / 1e9)), created.out());
        assertFalse(Files.exists(dir.resolve("v4.weights")));
        Result info = edgeslim("info", cfg.toString());
        assertEquals(0, info.code(), info.err());
    }

    @Test
    void sameSeedGivesIdenticalWeightsAndAnotherSeedDiffers(@TempDir Path dir) throws Exception {
        byte[][] files = new byte[3][];
        String[] seeds = {"7", "7", "8"};
        for (int i = 0; i < 3; i++) {
            Path w = dir.resolve("w" + i + ".weights");
            Result r = edgeslim("create-model", "--arch", "yolov4-tiny-w0.25", "--size", "256", "--classes", "2",
                    "--out", dir.resolve("m" + i + ".cfg").toString(), "--weights-out", w.toString(),
                    "--seed", seeds[i]);
            assertEquals(0, r.code(), r.err());
            files[i] = Files.readAllBytes(w);
        }
        assertArrayEquals(files[0], files[1]);
        assertFalse(Arrays.equals(files[0], files[2]));
    }

    @Test
    void badArgumentsAreOneLineUsageErrors(@TempDir Path dir) {
        String out = dir.resolve("x.cfg").toString();
        List<String[]> bad = List.of(
                new String[] {"create-model", "--arch", "yolov5s", "--out", out},
                new String[] {"create-model", "--arch", "yolov4", "--size", "300", "--out", out},
                new String[] {"create-model", "--arch", "yolov4", "--classes", "0", "--out", out},
                new String[] {"create-model", "--arch", "yolov4"},
                new String[] {"create-model", "--out", out},
                new String[] {"create-model", "--arch", "yolov4", "--out", out, "--seed", "2"},
                new String[] {"create-model", "--arch", "yolov4-w9", "--out", out});
        for (String[] args : bad) {
            Result r = edgeslim(args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("edgeslim create-model: "), r.err());
        }
        Result unknown = edgeslim("create-model", "--arch", "yolov5s", "--out", out);
        assertTrue(unknown.err().contains("unknown model 'yolov5s'") && unknown.err().contains("yolov4-tiny"),
                unknown.err());
        assertFalse(Files.exists(dir.resolve("x.cfg")));
    }

    @Test
    void helpDescribesTheFlags() {
        Result help = edgeslim("create-model", "--help");
        assertEquals(0, help.code());
        for (String flag : new String[] {"--arch", "--classes", "--size", "--out", "--weights-out", "--seed", "--json"}) {
            assertTrue(help.out().contains(flag), flag + " in " + help.out());
        }
        Result top = edgeslim("--help");
        assertTrue(top.out().contains("create-model"), top.out());
    }
}
