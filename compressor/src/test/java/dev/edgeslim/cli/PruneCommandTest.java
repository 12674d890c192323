package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.prune.PruningPlan;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PruneCommandTest {
    @TempDir
    static Path shared;
    static Path cfg;
    static Path weights;

    @BeforeAll
    static void randomTinyWeights() throws Exception {
        cfg = dev.edgeslim.detector.ReferenceFiles.cfg("yolov4-tiny.cfg");
        NetworkSpec spec = CfgParser.parse(cfg);
        weights = shared.resolve("tiny.weights");
        DarknetWeights.write(WeightInitializer.forTesting(spec, 42), spec, weights);
    }

    @Test
    void writesPrunedModelPlanReportAndPlot(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        CliRunner r = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                out.toString(), "--ratio", "0.5", "--round8", "--json");
        assertEquals(0, r.code(), r.err());
        for (String f : PruneCommand.FILES) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        try (var s = Files.list(out)) {
            assertEquals(PruneCommand.FILES.size(), s.count(), "no temp files left");
        }
        NetworkSpec pruned = CfgParser.parse(out.resolve("pruned.cfg"));
        DarknetWeights.read(out.resolve("pruned.weights"), pruned).checkMatches(pruned);
        NetworkSpec original = CfgParser.parse(cfg);
        PruningPlan.read(out.resolve("plan.json")).checkAgainst(ChannelGraph.of(original));
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertEquals(original.totalParams(), json.get("total").get("paramsBefore").asLong());
        assertEquals(pruned.totalParams(), json.get("total").get("paramsAfter").asLong());
        assertTrue(pruned.totalParams() < 0.6 * original.totalParams());
        assertEquals("union", json.get("rule").asText());
        assertTrue(json.get("groups").size() >= 5);
        JsonNode report = Json.MAPPER.readTree(out.resolve("prune-report.json").toFile());
        assertEquals(original.size(), report.get("layers").size());
        assertTrue(Files.readString(out.resolve("prune-report.md")).contains("| backbone/s8 |"));
        byte[] png = Files.readAllBytes(out.resolve("kept-channels.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }

    @Test
    void targetFlopsIsReachedAndReported(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        CliRunner r = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                out.toString(), "--target-flops", "0.35", "--rule", "majority", "--allocation", "quantile");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("target: remove 35.0% of flops"), r.out());
        JsonNode report = Json.MAPPER.readTree(out.resolve("prune-report.json").toFile());
        double removed = report.get("total").get("flopsRemovedFraction").asDouble();
        assertTrue(removed >= 0.35 && removed < 0.38, String.valueOf(removed));
        assertTrue(report.get("target").get("met").asBoolean());
        String q = String.format(java.util.Locale.ROOT, "ratio %.4g", report.get("target").get("level").asDouble());
        assertEquals("quantile", report.get("target").get("allocation").asText());
        assertTrue(report.get("groups").get(0).get("options").asText().startsWith(q + ", floor"),
                report.get("groups").get(0).get("options").asText());
    }

    @Test
    void parameterAndFlopsTargetsTogetherAreBothMet(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        CliRunner r = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                out.toString(), "--target-params", "0.3", "--target-flops", "0.45");
        assertEquals(0, r.code(), r.err());
        JsonNode total = Json.MAPPER.readTree(out.resolve("prune-report.json").toFile()).get("total");
        double params = total.get("paramsRemovedFraction").asDouble();
        double flops = total.get("flopsRemovedFraction").asDouble();
        assertTrue(params >= 0.3 && flops >= 0.45, params + " / " + flops);
    }

    @Test
    void badFlagsExitOneWithOneLineAndWriteNothing(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        String[][] bad = {
                {"--ratio", "1.5"}, {"--ratio", "1"}, {"--ratio", "-0.1"}, {"--ratio", "half"}, {"--percentile", "100"},
                {"--target-params", "0"}, {"--ratio", "0.5", "--target-flops", "0.3"}, {},
                {"--ratio", "0.5", "--rule", "most"}, {"--ratio", "0.5", "--floor-k", "0"},
                {"--ratio", "0.5", "--floor-percent", "120"}, {"--target-params", "0.5", "--allocation", "even"},
                {"--ratio", "0.5", "--allocation", "threshold"}};
        for (String[] extra : bad) {
            String[] args = new String[8 + extra.length];
            String[] base = {"prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out", out.toString(), "--round8"};
            System.arraycopy(base, 0, args, 0, 8);
            System.arraycopy(extra, 0, args, 8, extra.length);
            CliRunner r = CliRunner.run(args);
            assertEquals(1, r.code(), String.join(" ", extra) + ": " + r.err());
            assertTrue(r.oneLineError(), r.err());
            assertFalse(Files.exists(out), "nothing written for " + String.join(" ", extra));
        }
        CliRunner missing = CliRunner.run("prune", "--cfg", cfg.toString(), "--ratio", "0.5");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("--weights"), missing.err());
    }

    @Test
    void badInputFilesExitTwoAndWriteNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Path groups = Files.writeString(tmp.resolve("groups.txt"), "backbone 0-24\nrest 25-99\n");
        CliRunner r = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                out.toString(), "--ratio", "0.5", "--groups", groups.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("groups.txt:2: layer 99 does not exist"), r.err());
        assertFalse(Files.exists(out));

        Path wrongWeights = tmp.resolve("v3.weights");
        NetworkSpec v3 = CfgParser.parse(dev.edgeslim.detector.ReferenceFiles.cfg("yolov3-tiny.cfg"));
        DarknetWeights.write(WeightInitializer.forTesting(v3, 1), v3, wrongWeights);
        r = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", wrongWeights.toString(), "--out",
                out.toString(), "--ratio", "0.5");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("v3.weights"), r.err());
        assertFalse(Files.exists(out));

        Path file = Files.writeString(tmp.resolve("afile"), "x");
        r = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                file.toString(), "--ratio", "0.5");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("not a directory"), r.err());
    }

    /** #5.4: a parameter target from the command line is met, reproducible, and reported as {@code info} counts. */
    @Test
    void targetParamsIsMetReproducibleAndAgreesWithInfo(@TempDir Path tmp) throws Exception {
        String[] outs = {tmp.resolve("a").toString(), tmp.resolve("b").toString()};
        JsonNode[] json = new JsonNode[2];
        for (int k = 0; k < 2; k++) {
            CliRunner r = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                    outs[k], "--target-params", "0.6", "--json");
            assertEquals(0, r.code(), r.err());
            // the only stderr line is the cfg's list of training-only options (jitter, mosaic, ...)
            String otherWarnings = r.err().lines().filter(l -> !l.contains("training-only option")).toList()
                    .toString();
            assertEquals("[]", otherWarnings, "the target is reachable, no warning: " + r.err());
            json[k] = Json.MAPPER.readTree(r.out());
        }
        Path out = Path.of(outs[0]);
        JsonNode total = json[0].get("total");
        long before = total.get("paramsBefore").asLong();
        long after = total.get("paramsAfter").asLong();
        assertTrue(after <= 0.4 * before, "at least 60% fewer params: " + before + " -> " + after);
        assertTrue(total.get("paramsRemovedFraction").asDouble() >= 0.6);
        assertTrue(json[0].get("target").get("met").asBoolean());
        assertEquals("params", json[0].get("target").get("metric").asText());
        JsonNode report = Json.MAPPER.readTree(out.resolve("prune-report.json").toFile());
        assertEquals(total, report.get("total"), "printed and written totals agree");

        CliRunner info = CliRunner.run("info", out.resolve("pruned.cfg").toString(), "--weights",
                out.resolve("pruned.weights").toString(), "--json");
        assertEquals(0, info.code(), info.err());
        JsonNode infoTotal = Json.MAPPER.readTree(info.out()).get("total");
        assertEquals(after, infoTotal.get("params").asLong());
        assertEquals(total.get("bflopsAfter").asDouble(), infoTotal.get("bflops").asDouble(), 0.0);
        JsonNode original = Json.MAPPER.readTree(CliRunner.run("info", cfg.toString(), "--json").out()).get("total");
        assertEquals(before, original.get("params").asLong());
        assertEquals(total.get("bflopsBefore").asDouble(), original.get("bflops").asDouble(), 0.0);

        assertEquals(json[0].get("total"), json[1].get("total"));
        assertEquals(json[0].get("groups"), json[1].get("groups"));
        for (String f : PruneCommand.FILES) {
            assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(Path.of(outs[1]).resolve(f)),
                    f + " differs between two runs of the same command");
        }
    }

    /**
     * #5.5: group files naming unknown layers or giving ratios outside [0,1), and a cfg with nothing the channel
     * graph can prune, are refused with one line; an output folder holding an earlier result is left as it was.
     */
    @Test
    void badGroupFilesAndUnprunableCfgsLeaveTheOutputFolderAsItWas(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        CliRunner first = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                out.toString(), "--ratio", "0.3");
        assertEquals(0, first.code(), first.err());
        Files.writeString(out.resolve("notes.txt"), "mine");
        List<String> before = CompressFixture.listing(out);

        String[][] groupFiles = {
                {"backbone 0-24\nneck 25-37 ratio=0.4\nghost 38 ratio=0.2\n", "groups.txt:3: layer 38 does not exist"},
                {"backbone 0-24\nrest conv29\n", "groups.txt:2: layers must be indices"},
                {"backbone 0-24 ratio=1\n", "groups.txt:1: ratio must be within [0,1)"},
                {"backbone 0-24 ratio=1.5\n", "groups.txt:1: ratio must be within [0,1)"},
                {"backbone 0-24 ratio=-0.1\n", "groups.txt:1: ratio must be within [0,1)"},
                {"backbone 0-24 percentile=100\n", "groups.txt:1: percentile must be within [0,100)"},
                {"a 0-20\nb 20-30\n", "groups.txt:2: layer 20 is in group 'a' and in group 'b'"},
                {"a 0-20 strength=2\n", "groups.txt:1: unknown option 'strength'"}};
        Path groups = tmp.resolve("groups.txt");
        for (String[] g : groupFiles) {
            Files.writeString(groups, g[0]);
            CliRunner r = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                    out.toString(), "--ratio", "0.5", "--groups", groups.toString(), "--force");
            assertEquals(2, r.code(), g[0] + ": " + r.err());
            assertTrue(r.oneLineError() && r.err().contains(g[1]), r.err());
            assertEquals(before, CompressFixture.listing(out), "nothing written for " + g[0]);
        }
        for (String ratio : new String[]{"1", "1.2", "-0.5"}) {
            CliRunner r = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                    out.toString(), "--ratio", ratio);
            assertEquals(1, r.code(), r.err());
            assertTrue(r.oneLineError() && r.err().contains("--ratio"), r.err());
        }

        // convolutions without batch norm have no γ to rank channels by; here nothing else could be pruned
        CompressFixture.Model plain = CompressFixture.model(tmp.resolve("in"), "no-bn", 1, CompressFixture.NO_BN_CFG);
        for (String criterion : new String[]{"--ratio", "--target-params"}) {
            CliRunner r = CliRunner.run("prune", "--cfg", plain.cfg().toString(), "--weights",
                    plain.weights().toString(), "--out", out.toString(), criterion, "0.5", "--force");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.oneLineError() && r.err().contains("no-bn.cfg") && r.err().contains("no channel")
                    && r.err().contains("no batch normalisation"), r.err());
        }
        assertEquals(before, CompressFixture.listing(out), "the earlier result is untouched");
    }

    @Test
    void helpListsTheFlags() {
        CliRunner r = CliRunner.run("prune", "--help");
        assertEquals(0, r.code());
        for (String flag : new String[]{"--cfg", "--weights", "--out", "--groups", "--ratio", "--percentile", "--rule",
                "--floor-k", "--floor-percent", "--round8", "--target-params", "--target-flops", "--json"}) {
            assertTrue(r.out().contains(flag), flag);
        }
        assertTrue(CliRunner.run("--help").out().contains("prune"));
    }
}
