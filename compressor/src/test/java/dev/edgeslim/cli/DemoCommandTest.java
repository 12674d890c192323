package dev.edgeslim.cli;

import dev.edgeslim.compressor.export.tflite.TfliteRunner;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.detector.io.Sha256;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code edgeslim demo} end to end in miniature (the README's main command with tiny sizes: the built-in
 * YOLOv4-tiny at 64x64, 16 synthetic images, one epoch per stage): every stage runs, the before/after table is
 * printed with the pruned rows smaller than the input, the exported TFLite models run in the real runtime, and a
 * second run of the same command reuses everything it already has, and a run with another epoch count trains the
 * baseline again and replaces the compression of the old one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoCommandTest {
    @TempDir
    static Path dir;
    static Path out;
    static CliRunner first;

    static String[] demo(Path outDir) {
        return demo(outDir, 1);
    }

    static String[] demo(Path outDir, int baselineEpochs) {
        return new String[]{"demo", "--train-baseline", "--out", outDir.toString(), "--size", "64",
                "--train-images", "16",
                "--test-images", "8", "--epochs", String.valueOf(baselineEpochs), "--sparse-epochs", "1",
                "--finetune-epochs", "1", "--quiet"};
    }

    @BeforeAll
    static void runMiniatureDemo() {
        out = dir.resolve("demo");
        first = CliRunner.run(demo(out));
        assertEquals(0, first.code(), first.err());
    }

    /** The before/after table the demo prints: the rows after its "EdgeSlim demo:" line, up to a blank line. */
    static List<String> table(String stdout) {
        String tail = stdout.substring(stdout.lastIndexOf("EdgeSlim demo:"));
        return tail.lines().skip(1).takeWhile(l -> !l.isBlank()).filter(l -> l.startsWith("| ")).toList();
    }

    /** The deployment table the demo prints after it: one row per model and runtime. */
    static List<String> runtimeTable(String stdout) {
        String tail = stdout.substring(stdout.lastIndexOf("Deployment runtimes"));
        return tail.lines().filter(l -> l.startsWith("| ")).toList();
    }

    static double params(String row) {
        Matcher m = Pattern.compile("\\| ([0-9.]+) M").matcher(row);
        assertTrue(m.find(), row);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void printsTheBeforeAfterTableWithAllFourStages() {
        List<String> rows = table(first.out());
        assertEquals(5, rows.size(), String.join("\n", rows)); // header, four models
        assertTrue(rows.get(1).startsWith("| input |"), rows.get(1));
        assertTrue(rows.get(2).startsWith("| sparse |"), rows.get(2));
        assertTrue(rows.get(3).startsWith("| pruned (before fine-tuning) |"), rows.get(3));
        assertTrue(rows.get(4).startsWith("| pruned + distilled |"), rows.get(4));
        double input = params(rows.get(1));
        assertEquals(input, params(rows.get(2)), 1e-9, "sparse training does not change the architecture");
        // the default target removes 70% of the parameters
        assertEquals(0.3 * input, params(rows.get(4)), 0.02 * input, rows.get(4));
        assertTrue(first.out().contains("done in"), first.out());
    }

    @Test
    void measuresInputAndResultInTfJavaAndTflite() {
        List<String> rows = runtimeTable(first.out());
        assertEquals(7, rows.size(), String.join("\n", rows)); // header, two models in three formats
        for (String model : List.of("input", "compressed")) {
            for (String format : List.of("tf", "tflite-fp32", "tflite-int8")) {
                assertTrue(rows.stream().anyMatch(r -> r.startsWith("| " + model + " | " + format + " |")
                        && r.matches(".*\\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+× \\|$")), model + " " + format + " has a "
                        + "latency: " + String.join("\n", rows));
            }
        }
        assertTrue(Files.exists(out.resolve("bench/bench.json")));
    }

    @Test
    void exportedModelsRunInTheTfliteRuntime() throws Exception {
        Path export = out.resolve("export");
        for (String name : List.of("model-fp32.tflite", "model-int8.tflite")) {
            Path model = export.resolve(name);
            assertTrue(Files.size(model) > 0, name);
            assertTrue(Files.exists(export.resolve(name + ".json")), name + " has its metadata");
            try (TfliteRunner runner = TfliteRunner.load(model, 1, TfliteRunner.Delegates.NONE)) {
                int[] shape = runner.input().shape();
                assertArrayEquals(new int[]{1, 64, 64, 3}, shape, name);
                float[] image = new float[64 * 64 * 3];
                java.util.Arrays.fill(image, 0.5f);
                float[][] heads = runner.run(image);
                assertEquals(2, heads.length, name + ": YOLOv4-tiny has two heads");
                for (float[] head : heads) {
                    for (float v : head) {
                        assertTrue(Float.isFinite(v), name);
                    }
                }
            }
        }
        assertTrue(Files.exists(export.resolve("model.cfg")) && Files.exists(export.resolve("model.weights")));
        assertTrue(Files.exists(out.resolve("compress/report.md")));
    }

    @Test
    @Order(1)
    void aSecondRunReusesTheFinishedStages() throws Exception {
        byte[] distilled = Files.readAllBytes(out.resolve("compress/3-distill/final.weights"));
        CliRunner again = CliRunner.run(demo(out));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("done, skipped"), again.err());
        assertEquals(table(first.out()), table(again.out()));
        assertArrayEquals(distilled, Files.readAllBytes(out.resolve("compress/3-distill/final.weights")));
    }

    /** Last (tests without an order run between the two): it replaces the folder's baseline. */
    @Test
    @Order(Integer.MAX_VALUE)
    void anotherEpochCountTrainsTheBaselineAgainAndRedoesTheCompression() throws Exception {
        byte[] baseline = Files.readAllBytes(out.resolve("baseline/final.weights"));
        CliRunner r = CliRunner.run(demo(out, 2));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("was trained with other options; training it again"), r.err());
        assertFalse(r.err().contains("done, skipped"), "nothing of the old baseline's compression is kept: " + r.err());
        assertFalse(java.util.Arrays.equals(baseline, Files.readAllBytes(out.resolve("baseline/final.weights"))));
        JsonNode record = Json.MAPPER.readTree(out.resolve(DemoCommand.BASELINE_RECORD).toFile());
        assertEquals(2, record.path("epochs").asInt());
        JsonNode manifest = Json.MAPPER.readTree(out.resolve("compress/manifest.json").toFile());
        assertEquals(Sha256.of(out.resolve("baseline/final.weights")),
                manifest.path("inputs").path("weights").path("sha256").asText(), "compress ran on the new baseline");
    }

    @Test
    void badOptionsAreUsageErrors() {
        String outDir = dir.resolve("unused").toString();
        for (String[] bad : List.of(new String[]{"demo", "--out", outDir, "--train-baseline", "--size", "100"},
                new String[]{"demo", "--out", outDir, "--finetune-lr", "0"},
                new String[]{"demo", "--out", outDir, "--ratio", "0.5", "--target-params", "0.6"},
                new String[]{"demo", "--out", outDir, "--train-baseline", "--epochs", "1", "--epochs", "2"},
                new String[]{"demo", "--out", outDir, "--epochs", "2"},
                new String[]{"demo", "--out", outDir, "--train-baseline", "--pinned", outDir})) {
            CliRunner r = CliRunner.run(bad);
            assertEquals(1, r.code(), String.join(" ", bad) + ": " + r.err());
            assertTrue(r.oneLineError(), r.err());
        }
    }
}
