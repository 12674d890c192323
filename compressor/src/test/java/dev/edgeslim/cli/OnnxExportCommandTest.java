package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.compressor.export.onnx.OnnxRunner;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code edgeslim export --format onnx} and {@code bench latency --onnx} from the command line, on the upstream
 * yolov4-tiny cfg (reference/cfg) at 128x128 with seeded weights: the written files load and run in ONNX Runtime;
 * bad input (an opset too old for the graph, int8 without calibration data, an existing output without --force)
 * is one line and exit 2 with nothing written or replaced; an export killed at random moments leaves the model
 * complete or absent; and ONNX Runtime, run in a child JVM whose stderr is captured, prints no warning or error
 * while optimising and running the exports (ORT_ENABLE_ALL).
 */
class OnnxExportCommandTest {
    @TempDir
    static Path dir;
    static Path cfg;
    static Path weights;
    static Path calib;

    @BeforeAll
    static void model() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (!Files.isDirectory(root.resolve("reference/cfg"))) {
            root = root.getParent();
        }
        NetworkSpec spec = CfgParser.parse(root.resolve("reference/cfg/yolov4-tiny.cfg")).withInputSize(128, 128);
        cfg = dir.resolve("yolov4-tiny-128.cfg");
        dev.edgeslim.detector.cfg.CfgWriter.write(spec, cfg);
        weights = dir.resolve("yolov4-tiny-128.weights");
        DarknetWeights.write(WeightInitializer.forTesting(spec, 11), spec, weights);
        Path voc = dir.resolve("voc");
        SyntheticVoc.generate(voc, new SyntheticVoc.Options(4, 0, 96, 9, 1), false, null);
        calib = voc.resolve("VOC2007").resolve("JPEGImages");
    }

    private static CliRunner export(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("export", "--cfg", cfg.toString(), "--weights",
                weights.toString(), "--format", "onnx", "--out", out.toString()));
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    void everyPrecisionLoadsAndRunsInOnnxRuntime() throws Exception {
        for (String quant : List.of("fp32", "fp16", "int8")) {
            Path out = dir.resolve("ok/" + quant + ".onnx");
            Files.createDirectories(out.getParent());
            CliRunner r = quant.equals("int8") ? export(out, "--quant", quant, "--calib", calib.toString(), "--json")
                    : export(out, "--quant", quant, "--json", "--dynamic-batch");
            assertEquals(0, r.code(), r.err());
            JsonNode json = Json.MAPPER.readTree(r.out());
            assertEquals("onnx", json.get("format").asText());
            assertEquals(quant, json.get("precision").asText());
            assertEquals(Files.size(out), json.get("bytes").asLong());
            try (OnnxRunner runner = OnnxRunner.load(out, 1)) {
                assertEquals(!quant.equals("int8"), runner.dynamicBatch());
                float[][] heads = runner.run(new float[2 * runner.imageElements()], 2);
                assertEquals(2, heads.length, "two [yolo] heads");
            }
        }
    }

    @Test
    void opsetTooOldIsBadInputAndWritesNothing() throws Exception {
        Path out = dir.resolve("opset/model.onnx");
        Files.createDirectories(out.getParent());
        CliRunner r = export(out, "--opset", "11");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError(), r.err());
        assertTrue(r.err().contains("opset 11"), r.err());
        assertEquals(List.of(), list(out.getParent()));
    }

    @Test
    void int8WithoutCalibrationDataIsBadInputAndWritesNothing() throws Exception {
        Path out = dir.resolve("nocalib/model.onnx");
        Files.createDirectories(out.getParent());
        CliRunner r = export(out, "--quant", "int8");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError(), r.err());
        assertTrue(r.err().contains("--calib"), r.err());
        assertEquals(List.of(), list(out.getParent()));
    }

    @Test
    void aForeignFileIsReplacedOnlyWithForceAnEarlierExportWithout() throws Exception {
        Path out = dir.resolve("force/model.onnx");
        Files.createDirectories(out.getParent());
        byte[] mine = "not to be replaced silently".getBytes();
        Files.write(out, mine);
        CliRunner r = export(out);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError(), r.err());
        assertTrue(r.err().contains(out.toString()) && r.err().contains("--force"), r.err());
        assertArrayEquals(mine, Files.readAllBytes(out));
        assertEquals(List.of(out), list(out.getParent()));

        CliRunner forced = export(out, "--force");
        assertEquals(0, forced.code(), forced.err());
        try (OnnxRunner runner = OnnxRunner.load(out, 1)) {
            assertEquals(128, runner.width());
        }

        // an earlier ONNX export is an output of the same kind: exporting again replaces it without --force
        byte[] earlier = Files.readAllBytes(out);
        CliRunner again = export(out, "--quant", "fp16");
        assertEquals(0, again.code(), again.err());
        assertFalse(Arrays.equals(earlier, Files.readAllBytes(out)), "the fp16 export should replace the fp32 one");
    }

    @Test
    void exportKilledAtRandomMomentsLeavesACompleteModelOrNone() throws Exception {
        Path out = dir.resolve("kill/model.onnx");
        Files.createDirectories(out.getParent());
        List<String> args = List.of("export", "--cfg", cfg.toString(), "--weights", weights.toString(), "--format",
                "onnx", "--quant", "int8", "--calib", calib.toString(), "--out", out.toString(), "--force");
        long t = System.nanoTime();
        Child.Result full = Child.run(args, 0);
        assertEquals(0, full.code(), full.output());
        double seconds = (System.nanoTime() - t) / 1e9;
        Files.delete(out);
        SplittableRandom random = new SplittableRandom(Long.getLong("edgeslim.killSeed", System.nanoTime()));
        for (int round = 1; round <= 3; round++) {
            double killAt = seconds * (0.3 + 0.75 * random.nextDouble());
            Child.Result r = Child.run(args, killAt);
            List<Path> left = list(out.getParent());
            boolean complete = Files.exists(out);
            if (complete) {
                try (OnnxRunner runner = OnnxRunner.load(out, 1)) {
                    assertEquals(2, runner.run(new float[runner.imageElements()]).length);
                }
            }
            for (Path p : left) {
                assertTrue(p.equals(out) || AtomicFiles.isTemp(p), "round " + round + ": unexpected " + p);
            }
            System.out.printf(Locale.ROOT, "onnx export killed at %.1f s of %.1f: %s, %d temp file(s)%n", killAt,
                    seconds, r.killed() ? (complete ? "model complete" : "no model") : "finished first",
                    left.size() - (complete ? 1 : 0));
            for (Path p : left) {
                Files.delete(p);
            }
        }
    }

    @Test
    void onnxRuntimeOptimisesAndRunsTheExportsWithoutWarnings() throws Exception {
        Child.Result r = Child.run(List.of("bench", "latency", "--cfg", cfg.toString(), "--weights",
                weights.toString(), "--onnx", "--tflite", "--threads", "1", "--warmup", "1", "--runs", "3"), 0);
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("onnx-fp32") && r.output().contains("onnx-int8"), r.output());
        for (String line : r.output().split("\n")) {
            assertFalse(line.contains("[W:onnxruntime") || line.contains("[E:onnxruntime"),
                    "ONNX Runtime complained: " + line);
        }
        System.out.print(r.output().lines().filter(l -> l.contains("ms") || l.startsWith("onnx")
                || l.startsWith("tflite") || l.startsWith("tensorflow") || l.startsWith("opencv"))
                .reduce("", (a, b) -> a + b + "\n"));
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    /** The CLI in a child JVM (the test classpath), stdout and stderr together, optionally killed (SIGKILL). */
    private static final class Child {
        record Result(int code, String output, boolean killed) {
        }

        static Result run(List<String> args, double killAfterSeconds) throws Exception {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-cp", System.getProperty("java.class.path"), EdgeSlim.class.getName()));
            command.addAll(args);
            Path log = Files.createTempFile(dir, "child", ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean killed = false;
            if (killAfterSeconds > 0 && !p.waitFor((long) (killAfterSeconds * 1000), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                killed = true;
            }
            int code = p.waitFor();
            String output = Files.readString(log);
            Files.delete(log);
            return new Result(code, output, killed);
        }
    }
}
