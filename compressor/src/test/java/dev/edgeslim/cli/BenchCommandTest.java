package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {
    private static final String TINY_CFG = """
            [net]
            width=64
            height=64
            channels=3

            [convolutional]
            batch_normalize=1
            filters=8
            size=3
            stride=2
            pad=1
            activation=leaky

            [maxpool]
            size=2
            stride=2

            [convolutional]
            filters=18
            size=1
            stride=1
            pad=1
            activation=linear

            [yolo]
            mask=0,1,2
            anchors=10,14, 23,27, 37,58
            classes=1
            num=3
            """;

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new EdgeSlim().run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsSubcommandsAndFlags() {
        Run bench = run("bench", "--help");
        assertEquals(0, bench.code());
        assertTrue(bench.out().contains("latency"), bench.out());
        Run latency = run("bench", "latency", "--help");
        assertEquals(0, latency.code());
        for (String flag : List.of("--cfg", "--weights", "--size", "--threads", "--warmup", "--runs", "--json")) {
            assertTrue(latency.out().contains(flag), flag + " missing from help:\n" + latency.out());
        }
        assertTrue(run("--help").out().contains("bench"));
    }

    @Test
    void missingCfgIsBadInputOnOneLine() {
        Path missing = dir.resolve("nope.cfg");
        Run r = run("bench", "latency", "--cfg", missing.toString());
        assertEquals(2, r.code());
        String message = r.err().strip();
        assertFalse(message.contains("\n"), "expected one line, got:\n" + r.err());
        assertTrue(message.contains("nope.cfg"), message);
        assertFalse(message.contains("Exception"), message);
        assertTrue(r.out().isEmpty());
    }

    @Test
    void usageErrors() {
        assertEquals(1, run("bench").code());
        assertEquals(1, run("bench", "throughput").code());
        assertEquals(1, run("bench", "latency").code()); // no --cfg
        assertEquals(1, run("bench", "latency", "--cfg", "x.cfg", "--runs", "zero").code());
    }

    @Test
    void mismatchedWeightsAreBadInput() throws Exception {
        Path cfg = dir.resolve("tiny.cfg");
        Files.writeString(cfg, TINY_CFG);
        Path weights = dir.resolve("other.weights");
        Files.write(weights, new byte[100]);
        Run r = run("bench", "latency", "--cfg", cfg.toString(), "--weights", weights.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("other.weights"), r.err());
    }

    @Test
    void measuresBothRuntimesAndWritesJson() throws Exception {
        Path cfg = dir.resolve("tiny.cfg");
        Files.writeString(cfg, TINY_CFG);
        Path json = dir.resolve("out").resolve("latency.json");
        Run r = run("bench", "latency", "--cfg", cfg.toString(), "--size", "96", "--threads", "1", "--warmup", "1",
                "--runs", "3", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("tensorflow-java") && r.out().contains("opencv-dnn"), r.out());
        JsonNode root = Json.MAPPER.readTree(json.toFile());
        assertEquals(96, root.get("size").asInt());
        assertEquals(3, root.get("runs").asInt());
        assertTrue(root.get("weights").isNull());
        assertTrue(root.get("machine").get("cores").asInt() >= 1);
        assertFalse(root.get("machine").get("tensorflow").asText().isEmpty());
        assertTrue(root.get("machine").get("opencv").asText().matches("\\d+\\.\\d+\\.\\d+.*"),
                root.get("machine").get("opencv").asText());
        assertFalse(root.get("machine").get("opencv").asText().contains("\0"));
        JsonNode results = root.get("results");
        assertEquals(2, results.size());
        assertEquals("tensorflow-java", results.get(0).get("runtime").asText());
        assertEquals("opencv-dnn", results.get(1).get("runtime").asText());
        assertEquals(1.0, results.get(1).get("ratio_vs_opencv").asDouble(), 1e-12);
        for (JsonNode result : results) {
            double median = result.get("median_ms").asDouble();
            assertTrue(median > 0);
            assertTrue(result.get("min_ms").asDouble() <= median);
            assertTrue(result.get("p90_ms").asDouble() >= median);
            assertEquals(3, result.get("samples_ms").size());
        }
        double tfRatio = results.get(0).get("ratio_vs_opencv").asDouble();
        assertEquals(results.get(0).get("median_ms").asDouble() / results.get(1).get("median_ms").asDouble(), tfRatio,
                1e-9);
        // the progress bar goes to stderr, never into the table
        assertFalse(r.out().contains("latency 100%"));
    }

    @Test
    void tfliteRowsJoinTheSameRun() throws Exception {
        Path cfg = dir.resolve("tiny-tflite.cfg");
        Files.writeString(cfg, TINY_CFG);
        Path json = dir.resolve("out").resolve("latency-tflite.json");
        Run r = run("bench", "latency", "--cfg", cfg.toString(), "--size", "96", "--threads", "1", "--warmup", "1",
                "--runs", "3", "--tflite", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode results = Json.MAPPER.readTree(json.toFile()).get("results");
        assertEquals(4, results.size());
        java.util.Set<String> runtimes = new java.util.HashSet<>();
        for (JsonNode result : results) {
            runtimes.add(result.get("runtime").asText());
            assertTrue(result.get("median_ms").asDouble() > 0);
            assertTrue(result.get("ratio_vs_opencv").asDouble() > 0);
        }
        assertEquals(java.util.Set.of("tensorflow-java", "opencv-dnn", "tflite-fp32", "tflite-int8"), runtimes);
    }
}
