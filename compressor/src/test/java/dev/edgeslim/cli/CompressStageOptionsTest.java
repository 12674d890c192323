package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.compressor.distill.DistillationPairs;
import dev.edgeslim.detector.cfg.CfgParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every stage option is reachable from {@code compress}: the pass-through flags arrive at their stage under the
 * stage's own name (seen in what each stage wrote), and a bad value is refused before anything is written.
 */
class CompressStageOptionsTest {
    @TempDir
    Path dir;

    @Test
    void passThroughFlagsReachTheirStages() throws Exception {
        Path voc = CompressFixture.voc(dir, 8, 2);
        CompressFixture.Model model = CompressFixture.model(dir.resolve("in"), "tiny", 7);
        var automatic = DistillationPairs.automatic(CfgParser.parse(model.cfg()), 1);
        assertTrue(automatic.size() > 1, "--layers must choose fewer pairs than the automatic ones");
        int layer = automatic.get(0).studentLayer();
        Path run = dir.resolve("run");
        CliRunner r = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--sparse-lr", "0.003",
                "--finetune-lr", "0.0007", "--burn-in", "0", "--rule", "majority", "--prune-percentile", "40",
                "--layers", layer + ":5", "--warmup", "0.25", "--relax-percentile", "80", "--bn-momentum", "0.95", "--output-weight", "0.5"));
        assertEquals(0, r.code(), r.err());

        // burn-in 0: the first step already runs at the stage's own learning rate
        assertEquals(0.003, firstLr(run.resolve("1-sparse/metrics.jsonl")), 1e-9);
        assertEquals(0.0007, firstLr(run.resolve("3-distill/metrics.jsonl")), 1e-9);
        JsonNode prune = Json.MAPPER.readTree(run.resolve("2-prune/prune-report.json").toFile());
        assertTrue(prune.toString().contains("\"majority\""), prune.toString());
        assertEquals(Set.of("attention_l" + layer), attentionTerms(run.resolve("3-distill/metrics.jsonl")));
        assertTrue(Files.readString(run.resolve("3-distill/metrics.jsonl")).contains("\"output_distill\""));
        JsonNode manifest = Json.MAPPER.readTree(run.resolve("manifest.json").toFile());
        assertEquals(80, manifest.get("options").at("/sparse/percentile").asDouble(), "recorded: the run's identity");
    }

    @Test
    void badStageValuesAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path voc = CompressFixture.voc(dir, 2, 1);
        CompressFixture.Model model = CompressFixture.model(dir.resolve("in"), "tiny", 7);
        Path out = dir.resolve("never");
        String[][] usage = {{"--rule", "any"}, {"--warmup", "2"}, {"--relax-percentile", "100"},
                {"--prune-percentile", "100"}, {"--ratio", "0.5", "--prune-percentile", "40"},
                {"--reach", "1", "--strength", "0.01"}, {"--finetune-lr", "0"}, {"--bn-momentum", "1"},
                {"--floor-k", "0"}, {"--eval-every", "0"}, {"--layers", "1", "--no-attention"}, {"--mosaic", "-1"}, {"--temperature", "0"},
                {"--target-params", "0.5", "--allocation", "even"}, {"--allocation", "quantile"}};
        for (String[] extra : usage) {
            CliRunner r = CompressFixture.run(CompressFixture.compress(model, voc, out, 1, extra));
            assertEquals(1, r.code(), String.join(" ", extra) + ": " + r.err());
            assertTrue(r.oneLineError(), r.err());
            assertFalse(Files.exists(out), "nothing written for " + String.join(" ", extra));
        }
        Path groups = Files.writeString(dir.resolve("bad.groups"), "backbone 0-999\n");
        List<List<String>> bad = List.of(
                CompressFixture.compress(model, voc, out, 1, "--groups", dir.resolve("missing.groups").toString()),
                CompressFixture.compress(model, voc, out, 1, "--groups", groups.toString()),
                CompressFixture.compress(model, voc, out, 1, "--layers", "999"));
        for (List<String> args : bad) {
            CliRunner r = CompressFixture.run(args);
            assertTrue(r.code() == 1 || r.code() == 2, r.err());
            assertTrue(r.oneLineError(), r.err());
            assertFalse(Files.exists(out), "nothing written: " + r.err());
        }
        assertTrue(CompressFixture.run(bad.get(0)).err().contains("missing.groups"));
        assertTrue(CompressFixture.run(bad.get(1)).err().contains("bad.groups"));
        assertTrue(CompressFixture.run(bad.get(2)).err().contains("999"));
    }

    private static double firstLr(Path metrics) throws IOException {
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = Json.MAPPER.readTree(line);
            if (n.path("type").asText().equals("step")) {
                return n.get("lr").asDouble();
            }
        }
        throw new AssertionError("no step in " + metrics);
    }

    private static Set<String> attentionTerms(Path metrics) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode losses = Json.MAPPER.readTree(line).path("losses");
            List<String> fields = new ArrayList<>();
            losses.fieldNames().forEachRemaining(fields::add);
            fields.stream().filter(f -> f.startsWith("attention_l")).forEach(names::add);
        }
        return names;
    }
}
