package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.compressor.pipeline.CompressRunFolder;
import dev.edgeslim.compressor.pipeline.PipelineManifest;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code edgeslim bench --data ...} on a tiny synthetic VOCdevkit with tiny seeded models: the table's mAP is
 * {@code edgeslim eval}'s, every format is measured, latency ratios come from the same run, the JSON has exactly the
 * fields docs/benchmarks.md documents, and bad rows are reported without stopping the others.
 */
class VocBenchCommandTest {
    private static final List<String> FAST = List.of("--threads", "1", "--warmup", "1", "--runs", "3",
            "--calib-images", "4", "--quiet");

    @TempDir
    static Path dir;
    static Path voc;
    static Path baseCfg;
    static Path baseWeights;
    static Path prunedCfg;
    static Path prunedWeights;
    static CliRunner okRun;
    static JsonNode ok;

    @BeforeAll
    static void benchTwoModelsInEveryFormat() throws Exception {
        voc = dir.resolve("voc");
        CliRunner g = CliRunner.run("synth-voc", "--out", voc.toString(), "--train", "6", "--test", "6", "--size", "96",
                "--seed", "3", "--quiet");
        assertEquals(0, g.code(), g.err());
        baseCfg = dir.resolve("base.cfg");
        Files.writeString(baseCfg, TinyModels.yolo(64, 8, 16, 16));
        NetworkSpec spec = CfgParser.parse(baseCfg);
        baseWeights = dir.resolve("base.weights");
        DarknetWeights.write(WeightInitializer.forTesting(spec, 5), spec, baseWeights);
        CliRunner prune = CliRunner.run("prune", "--cfg", baseCfg.toString(), "--weights", baseWeights.toString(),
                "--out", dir.resolve("pruned").toString(), "--ratio", "0.5");
        assertEquals(0, prune.code(), prune.err());
        prunedCfg = dir.resolve("pruned/pruned.cfg");
        prunedWeights = dir.resolve("pruned/pruned.weights");

        okRun = bench("--data", voc.toString(), "--model", model("base", baseCfg, baseWeights),
                "--model", model("pruned", prunedCfg, prunedWeights) + ":tf,tflite-int8,opencv",
                "--out", dir.resolve("ok").toString());
        assertEquals(0, okRun.code(), okRun.err());
        ok = Json.MAPPER.readTree(dir.resolve("ok/bench.json").toFile());
    }

    private static CliRunner bench(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("bench"));
        all.addAll(Arrays.asList(args));
        all.addAll(FAST);
        return CliRunner.run(all.toArray(String[]::new));
    }

    private static String model(String name, Path cfg, Path weights) {
        return name + "=" + cfg + ":" + weights;
    }

    private static JsonNode row(JsonNode root, String model, String format) {
        for (JsonNode r : root.get("rows")) {
            if (r.get("model").asText().equals(model) && r.get("format").asText().equals(format)) {
                return r;
            }
        }
        throw new AssertionError("no row " + model + "/" + format);
    }

    @Test
    void tableMapEqualsEvalForTheSameModel() throws Exception {
        CliRunner eval = CliRunner.run("eval", "--cfg", baseCfg.toString(), "--weights", baseWeights.toString(),
                "--data", voc.toString(), "--threads", "1", "--quiet", "--json");
        assertEquals(0, eval.code(), eval.err());
        JsonNode e = Json.MAPPER.readTree(eval.out());
        JsonNode tf = row(ok, "base", "tf");
        assertTrue(e.get("map50_voc12").asDouble() > 0, "the seeded model must score above 0 for a meaningful test");
        assertEquals(e.get("map50_voc07").asDouble(), tf.get("map50_voc07").asDouble(), 1e-12);
        assertEquals(e.get("map50_voc12").asDouble(), tf.get("map50_voc12").asDouble(), 1e-12);
        assertEquals(e.get("images").asInt(), tf.get("images").asInt());
        for (int c = 0; c < 20; c++) {
            JsonNode ec = e.get("classes").get(c);
            JsonNode bc = tf.get("classes").get(c);
            assertEquals(ec.get("name").asText(), bc.get("name").asText());
            if (bc.get("ap_voc12").isNull()) { // a class without positives has no AP (eval --json writes NaN)
                assertTrue(Double.isNaN(ec.get("ap_voc12").asDouble()) || ec.get("ap_voc12").isNull(), ec.toString());
            } else {
                assertEquals(ec.get("ap_voc12").asDouble(), bc.get("ap_voc12").asDouble(), 1e-12);
            }
            assertEquals(ec.get("tp").asInt(), bc.get("tp").asInt());
        }
        // the markdown table shows the same number, as printed on stdout
        String md = Files.readString(dir.resolve("ok/bench.md"));
        String shown = String.format(java.util.Locale.ROOT, "| base | tf | 64×64 | %.4f | %.4f |",
                e.get("map50_voc07").asDouble(), e.get("map50_voc12").asDouble());
        assertTrue(md.contains(shown), shown + "\n" + md);
        assertTrue(okRun.out().contains(shown), okRun.out());
    }

    @Test
    void everyFormatIsScoredAndTheFloatRuntimesAgree() {
        JsonNode rows = ok.get("rows");
        assertEquals(7 + 3, rows.size()); // base: every format; pruned: only the formats its --model names
        double tf = row(ok, "base", "tf").get("map50_voc12").asDouble();
        for (JsonNode r : rows) {
            assertEquals("ok", r.get("status").asText(), r.toString());
            assertTrue(r.get("bytes").asLong() > 0 && Files.isRegularFile(Path.of(r.get("file").asText())));
            assertTrue(r.get("latency").get("median_ms").asDouble() > 0);
            assertEquals(3, r.get("latency").get("samples_ms").size());
            assertEquals(6, r.get("images").asInt());
        }
        // the same float network in three runtimes: the same detections, so (nearly) the same mAP
        assertEquals(tf, row(ok, "base", "tflite-fp32").get("map50_voc12").asDouble(), 0.01);
        assertEquals(tf, row(ok, "base", "opencv").get("map50_voc12").asDouble(), 0.01);
        // ONNX Runtime fp32 runs the same float network: its mAP equals TF Java's to 0.01 point
        assertEquals(tf, row(ok, "base", "onnx-fp32").get("map50_voc12").asDouble(), 1e-4);
        assertEquals(row(ok, "base", "tf").get("map50_voc07").asDouble(),
                row(ok, "base", "onnx-fp32").get("map50_voc07").asDouble(), 1e-4);
        assertTrue(row(ok, "base", "onnx-int8").get("file").asText().endsWith("models/base-onnx-int8.onnx"));
        // exported files are the ones measured, and smaller at lower precision
        long fp32 = row(ok, "base", "tflite-fp32").get("bytes").asLong();
        long fp16 = row(ok, "base", "tflite-fp16").get("bytes").asLong();
        long int8 = row(ok, "base", "tflite-int8").get("bytes").asLong();
        assertTrue(fp16 < fp32 && int8 < fp16, fp32 + " " + fp16 + " " + int8);
        assertTrue(row(ok, "base", "tflite-int8").get("file").asText().endsWith("models/base-tflite-int8.tflite"));
        assertEquals(4, ok.get("data").get("calibration").get("images").asInt());
        assertTrue(ok.get("data").get("calibration").get("source").asText().contains("'train'"));
    }

    @Test
    void relativeColumnsUseTheBaselineInTheSameFormatAndTheSameRun() {
        assertEquals("base", ok.get("baseline").asText());
        for (String format : List.of("tf", "tflite-int8", "opencv")) {
            JsonNode base = row(ok, "base", format);
            JsonNode pruned = row(ok, "pruned", format);
            JsonNode vs = pruned.get("vs_baseline");
            assertEquals("base/" + format, vs.get("reference").asText());
            assertEquals(pruned.get("latency").get("median_ms").asDouble() / base.get("latency").get("median_ms")
                    .asDouble(), vs.get("latency_ratio").asDouble(), 1e-12);
            assertEquals((double) pruned.get("params").asLong() / base.get("params").asLong() - 1,
                    vs.get("params").asDouble(), 1e-12);
            assertTrue(vs.get("params").asDouble() < -0.3, vs.toString());
            assertEquals(100 * (pruned.get("map50_voc07").asDouble() - base.get("map50_voc07").asDouble()),
                    vs.get("map50_voc07_pt").asDouble(), 1e-9);
        }
        // the baseline's own rows compare with its first row
        JsonNode first = row(ok, "base", "tf");
        assertEquals(1.0, first.get("vs_baseline").get("latency_ratio").asDouble(), 1e-12);
        assertEquals("base/tf", row(ok, "base", "tflite-fp16").get("vs_baseline").get("reference").asText());
        // same-run: every row was timed in one interleaved run with the stated settings
        assertEquals(3, ok.get("settings").get("runs").asInt());
        assertEquals(1, ok.get("settings").get("threads").asInt());
        assertTrue(ok.get("machine").get("cores").asInt() >= 1);
        assertFalse(ok.get("machine").get("tflite").asText().isBlank());
    }

    @Test
    void compressedModelsGetKeptChannelsAndEveryPlotIsWritten() throws IOException {
        JsonNode pruned = ok.get("models").get(1);
        assertEquals("base", pruned.get("reference").asText());
        JsonNode kept = pruned.get("kept_channels");
        assertTrue(kept.get("filters_after").asInt() < kept.get("filters_before").asInt());
        assertEquals(4, kept.get("layers").size()); // the four convolutions
        assertEquals(8, kept.get("layers").get(0).get("before").asInt());
        assertTrue(ok.get("models").get(0).get("kept_channels").isNull());
        Set<String> plots = new TreeSet<>();
        ok.get("files").get("plots").forEach(p -> plots.add(p.asText()));
        assertTrue(plots.containsAll(List.of("plots/map-vs-bflops.png", "plots/map-vs-latency.png",
                "plots/pr-base-tf.png", "plots/pr-pruned-tflite-int8.png", "plots/kept-channels-pruned.png")), plots.toString());
        assertEquals(2 + 10 + 1, plots.size()); // map-vs-*, a PR curve per row, kept channels
        for (String p : plots) {
            byte[] png = Files.readAllBytes(dir.resolve("ok").resolve(p));
            assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', p);
        }
        String md = Files.readString(dir.resolve("ok/bench.md"));
        assertTrue(md.contains("## Per-class AP") && md.contains("## Compressed models") && md.contains("(plots/"));
        assertFalse(md.contains("## Errors"));
    }

    @Test
    void badRowsCarryTheirErrorAndTheRestIsStillMeasured() throws Exception {
        // a model that does not load: its weights are cut short
        Path truncated = dir.resolve("truncated.weights");
        byte[] all = Files.readAllBytes(baseWeights);
        Files.write(truncated, Arrays.copyOf(all, all.length / 2));
        // a model that cannot be run in fp16: a head weight beyond float16's range
        NetworkSpec spec = CfgParser.parse(baseCfg);
        WeightStore w = DarknetWeights.read(baseWeights, spec);
        int head = spec.convLayers().get(spec.convLayers().size() - 1);
        ConvWeights c = w.conv(head);
        float[] k = c.weights();
        k[0] = 1e6f;
        Path huge = dir.resolve("huge.weights");
        DarknetWeights.write(w.with(head, new ConvWeights(c.biases(), c.scales(), c.rollingMean(),
                c.rollingVariance(), k)), spec, huge);

        CliRunner r = bench("--data", voc.toString(), "--formats", "tf,tflite-fp16", "--model",
                model("base", baseCfg, baseWeights), "--model", model("broken", baseCfg, truncated),
                "--model", model("huge", baseCfg, huge), "--out", dir.resolve("bad").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("broken/tf (load)") && r.err().contains("truncated.weights"), r.err());
        assertTrue(r.err().contains("huge/tflite-fp16 (export)") && r.err().contains("float16"), r.err());
        assertTrue(r.err().contains("3 of 6 rows failed"), r.err());
        JsonNode j = Json.MAPPER.readTree(dir.resolve("bad/bench.json").toFile());
        assertDocumented(j);
        assertEquals(3, j.get("failed_rows").asInt());
        for (String format : List.of("tf", "tflite-fp16")) {
            JsonNode b = row(j, "broken", format);
            assertEquals("failed", b.get("status").asText());
            assertEquals("load", b.get("errors").get(0).get("stage").asText());
            assertTrue(b.get("map50_voc07").isNull() && b.get("latency").isNull());
            JsonNode good = row(j, "base", format);
            assertEquals("ok", good.get("status").asText());
            assertEquals(row(ok, "base", format).get("map50_voc12").asDouble(), good.get("map50_voc12").asDouble(),
                    1e-12);
        }
        // the cfg still parsed: its size figures are known even though the weights are not
        assertEquals(row(j, "base", "tf").get("params").asLong(), row(j, "broken", "tf").get("params").asLong());
        JsonNode hugeFp16 = row(j, "huge", "tflite-fp16");
        assertEquals("export", hugeFp16.get("errors").get(0).get("stage").asText());
        assertTrue(hugeFp16.get("errors").get(0).get("message").asText().contains("float16"));
        assertEquals("ok", row(j, "huge", "tf").get("status").asText());
        assertTrue(row(j, "huge", "tf").get("latency").get("median_ms").asDouble() > 0);
        String md = Files.readString(dir.resolve("bad/bench.md"));
        assertTrue(md.contains("## Errors") && md.contains("`broken/tf` (load)") && md.contains("failed (export)"),
                md);
    }

    @Test
    void aMissingSplitLeavesSizesAndLatencyAndFails() throws Exception {
        Path noTest = dir.resolve("voc-no-test");
        copyTree(voc, noTest);
        Files.delete(noTest.resolve("VOC2007/ImageSets/Main/test.txt"));
        CliRunner r = bench("--data", noTest.toString(), "--split", "test", "--formats", "tf", "--model",
                model("base", baseCfg, baseWeights), "--out", dir.resolve("no-split").toString(), "--json");
        assertEquals(2, r.code(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertDocumented(j);
        assertTrue(j.get("data").get("error").asText().contains("test.txt"), j.get("data").toString());
        JsonNode tf = row(j, "base", "tf");
        assertEquals("data", tf.get("errors").get(0).get("stage").asText());
        assertTrue(tf.get("map50_voc07").isNull());
        assertTrue(tf.get("latency").get("median_ms").asDouble() > 0);
        assertTrue(tf.get("bytes").asLong() > 0);
        assertTrue(r.err().contains("base/tf (data)") && r.err().contains("test.txt"), r.err());
    }

    @Test
    void aVoc2012OnlyDevkitIsScoredOnVal() throws Exception {
        Path voc12 = dir.resolve("voc12");
        copyTree(voc.resolve("VOC2007"), voc12.resolve("VOC2012"));
        Files.delete(voc12.resolve("VOC2012/ImageSets/Main/test.txt"));
        CliRunner r = bench("--data", voc12.toString(), "--formats", "tf", "--quick", "--model",
                model("base", baseCfg, baseWeights), "--out", dir.resolve("voc12-out").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = Json.MAPPER.readTree(dir.resolve("voc12-out/bench.json").toFile());
        assertEquals("val", j.get("data").get("split").asText());
        assertTrue(j.get("data").get("split_note").asText().contains("val"));
        assertTrue(j.get("settings").get("quick").asBoolean());
        int val = (int) Files.readAllLines(voc12.resolve("VOC2012/ImageSets/Main/val.txt")).stream()
                .filter(l -> !l.isBlank()).count();
        assertEquals(Math.min(val, VocBenchCommand.QUICK_IMAGES), j.get("data").get("images").asInt());
        assertTrue(row(j, "base", "tf").get("map50_voc12").isNumber());
    }

    @Test
    void aCompressRunFolderAddsItsInputAndFinalModel() throws Exception {
        Path run = dir.resolve("compress-run");
        Files.createDirectories(run.resolve(CompressRunFolder.DISTILL));
        PipelineManifest m = PipelineManifest.open(run, Map.of("cfg", baseCfg.toAbsolutePath(), "weights",
                baseWeights.toAbsolutePath(), "data", voc.toAbsolutePath()), List.of());
        Files.copy(prunedCfg, run.resolve(CompressRunFolder.DISTILL).resolve("model.cfg"));
        Files.copy(prunedWeights, run.resolve(CompressRunFolder.DISTILL).resolve("final.weights"));
        m.markDone(CompressRunFolder.DISTILL, Map.of());
        CliRunner r = bench("--data", voc.toString(), "--formats", "tf", "--run", "tiny=" + run, "--out",
                dir.resolve("from-run").toString(), "--max-images", "2");
        assertEquals(0, r.code(), r.err());
        JsonNode j = Json.MAPPER.readTree(dir.resolve("from-run/bench.json").toFile());
        assertEquals("tiny", j.get("baseline").asText());
        assertEquals("tiny-compressed", j.get("models").get(1).get("name").asText());
        assertEquals("tiny", j.get("models").get(1).get("reference").asText());
        assertTrue(j.get("models").get(1).get("origin").asText().contains("compress run"));
        assertEquals(2, j.get("data").get("images").asInt());
        assertEquals(6, j.get("data").get("images_in_split").asInt());
    }

    @Test
    void usageErrorsAndGuardedOutput() {
        assertEquals(1, CliRunner.run("bench", "--data", voc.toString(), "--out", dir.resolve("u").toString()).code());
        assertEquals(1, CliRunner.run("bench", "--data", voc.toString(), "--out", dir.resolve("u").toString(),
                "--model", "justaname").code());
        assertEquals(1, CliRunner.run("bench", "--data", voc.toString(), "--out", dir.resolve("u").toString(),
                "--model", model("a", baseCfg, baseWeights) + ":tflite-int4").code());
        assertEquals(1, CliRunner.run("bench", "--data", voc.toString(), "--out", dir.resolve("u").toString(),
                "--model", model("a", baseCfg, baseWeights), "--model", model("a", prunedCfg, prunedWeights)).code());
        // an existing report is not replaced without --force
        CliRunner again = CliRunner.run("bench", "--data", voc.toString(), "--out", dir.resolve("ok").toString(),
                "--model", model("a", baseCfg, baseWeights));
        assertEquals(2, again.code());
        assertTrue(again.oneLineError() && again.err().contains("--force"), again.err());
        // the help shows the table and the latency sub-command
        CliRunner help = CliRunner.run("bench", "--help");
        assertTrue(help.out().contains("--model") && help.out().contains("latency"), help.out());
    }

    // ------------------------------------------------------------ docs/benchmarks.md: the JSON fields, exactly

    /** Every field of {@code j} (e.g. a failed run's errors[]) is documented in docs/benchmarks.md. */
    private static void assertDocumented(JsonNode j) throws IOException {
        Set<String> present = new TreeSet<>();
        collect(j, "", present);
        present.removeAll(documentedFields());
        assertTrue(present.isEmpty(), "in bench.json but not documented in docs/benchmarks.md: " + present);
    }

    @Test
    void jsonHasExactlyTheFieldsTheBenchmarkPageDocuments() throws IOException {
        Set<String> documented = documentedFields();
        Set<String> present = new TreeSet<>();
        collect(ok, "", present);
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(present);
        // only a failed row has errors[] entries: those are checked on the failing runs (assertDocumented)
        missing.removeIf(f -> f.startsWith("rows[].errors[]."));
        assertTrue(missing.isEmpty(), "documented in docs/benchmarks.md but not in bench.json: " + missing);
        Set<String> undocumented = new TreeSet<>(present);
        undocumented.removeAll(documented);
        assertTrue(undocumented.isEmpty(), "in bench.json but not documented in docs/benchmarks.md: " + undocumented);
        assertTrue(documented.contains("rows[].errors[].stage") && documented.contains("rows[].errors[].message"));
    }

    /** Field paths of a JSON tree: a.b for objects, a[] for array elements. */
    private static void collect(JsonNode n, String path, Set<String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                out.add(p);
                collect(e.getValue(), p, out);
            }
        } else if (n.isArray()) {
            for (JsonNode element : n) {
                if (element.isContainerNode()) {
                    collect(element, path + "[]", out);
                }
            }
        }
    }

    /** The field paths listed between the bench-json markers of docs/benchmarks.md, first token of each line. */
    static Set<String> documentedFields() throws IOException {
        String readme = Files.readString(ReferenceFiles.root().getParent().resolve("docs").resolve("benchmarks.md"));
        Matcher m = Pattern.compile("<!-- bench-json-fields -->(.*?)<!-- /bench-json-fields -->", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(m.find(), "docs/benchmarks.md has no <!-- bench-json-fields --> section");
        Set<String> fields = new TreeSet<>();
        for (String line : m.group(1).lines().toList()) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("```")) {
                continue;
            }
            String field = t.split("\\s+")[0];
            // a[] documents the array a itself too
            fields.add(field.endsWith("[]") ? field.substring(0, field.length() - 2) : field);
        }
        return fields;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
