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
        cfg = dev.edgeslim.detector.SharedFiles.cfg("yolov4-tiny.cfg");
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
                out.toString(), "--target-flops", "0.35", "--rule", "majority");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("target: remove 35.0% of flops"), r.out());
        JsonNode report = Json.MAPPER.readTree(out.resolve("prune-report.json").toFile());
        double removed = report.get("total").get("flopsRemovedFraction").asDouble();
        assertTrue(removed >= 0.35 && removed < 0.38, String.valueOf(removed));
        assertTrue(report.get("target").get("met").asBoolean());
        String q = String.format(java.util.Locale.ROOT, "ratio %.4g", report.get("target").get("quantile").asDouble());
        assertTrue(report.get("groups").get(0).get("options").asText().startsWith(q + ", floor"),
                report.get("groups").get(0).get("options").asText());
    }

    @Test
    void badFlagsExitOneWithOneLineAndWriteNothing(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        String[][] bad = {
                {"--ratio", "1.5"}, {"--ratio", "1"}, {"--ratio", "-0.1"}, {"--ratio", "half"}, {"--percentile", "100"},
                {"--target-params", "0"}, {"--ratio", "0.5", "--target-flops", "0.3"}, {},
                {"--ratio", "0.5", "--rule", "most"}, {"--ratio", "0.5", "--floor-k", "0"},
                {"--ratio", "0.5", "--floor-percent", "120"}};
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
        NetworkSpec v3 = CfgParser.parse(dev.edgeslim.detector.SharedFiles.cfg("yolov3-tiny.cfg"));
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
