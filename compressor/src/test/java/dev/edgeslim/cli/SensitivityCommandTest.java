package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.compressor.blocks.BlockSurgeon;
import dev.edgeslim.compressor.prune.PrunedNetwork;
import dev.edgeslim.compressor.sensitivity.SensitivityAnalysis;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.SyntheticVoc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sensitivity} on the pinned yolov4-w0.25 (trained on synthetic VOC) over 8 freshly generated test images of
 * that data: a group pruned at ratio 0 scores exactly the unpruned model, and a curve point and a block point
 * score exactly what {@code eval} gives the same pruned model written to files. Bad flags and outputs that are
 * not earlier ones are refused with one line before anything runs.
 */
class SensitivityCommandTest {
    @TempDir
    static Path dir;
    static Path cfg;
    static Path weights;
    static Path voc;
    static DarknetModel model;

    @BeforeAll
    static void pinnedModelAndData() throws Exception {
        Path folder = PinnedModelsTest.modelsFolder().resolve("yolov4-w025-160-synthvoc");
        cfg = folder.resolve("model.cfg");
        weights = folder.resolve("model.weights");
        model = DarknetModel.load(cfg, weights);
        voc = dir.resolve("voc");
        SyntheticVoc.generate(voc, new SyntheticVoc.Options(0, 8, 200, 11, 2), false, null);
    }

    @Test
    void ratioZeroChangesNothingAndPointsEqualEvalOfTheSameModel() throws Exception {
        SensitivityAnalysis analysis = new SensitivityAnalysis(model.spec(), model.weights(),
                new SensitivityAnalysis.Settings(List.of(0.5), 8, 2, 1, Set.of()));
        SensitivityAnalysis.Candidate group = analysis.candidates().stream()
                .filter(c -> c.kind() == SensitivityAnalysis.Kind.GROUP).reduce((a, b) -> b).orElseThrow();
        SensitivityAnalysis.Candidate block = analysis.candidates().stream()
                .filter(c -> c.kind() == SensitivityAnalysis.Kind.BLOCK).findFirst().orElseThrow();
        Path out = dir.resolve("out");
        CliRunner r = CliRunner.run("sensitivity", "--cfg", cfg.toString(), "--weights", weights.toString(), "--data",
                voc.toString(), "--out", out.toString(), "--ratios", "0,0.5", "--images", "8", "--only",
                group.name() + "," + block.name(), "--latency-runs", "2", "--threads", "2", "--quiet");
        assertEquals(0, r.code(), r.err());
        for (String f : SensitivityCommand.FILES) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode points = Json.MAPPER.readTree(out.resolve("sensitivity.json").toFile()).get("points");
        assertEquals(4, points.size(), points.toString());
        JsonNode base = points.get(0);
        JsonNode zero = points.get(1);
        JsonNode half = points.get(2);
        JsonNode removed = points.get(3);
        assertEquals("BASELINE", base.get("kind").asText());
        assertTrue(base.get("map50Voc07").asDouble() > 0.2, "the pinned model detects: " + base);
        assertEquals(base.get("map50Voc07").asDouble(), zero.get("map50Voc07").asDouble(), 0.0);
        assertEquals(base.get("map50Voc12").asDouble(), zero.get("map50Voc12").asDouble(), 0.0);
        assertEquals(base.get("params").asLong(), zero.get("params").asLong());
        assertTrue(half.get("params").asLong() < base.get("params").asLong());
        assertEquals(block.name(), removed.get("name").asText());
        assertEquals(1.0, base.get("latencyRatio").asDouble(), 0.0);
        assertTrue(half.get("latencyMs").asDouble() > 0 && half.get("latencyRatio").asDouble() > 0);

        PrunedNetwork pruned = analysis.groupPruned(group.group(), 0.5);
        assertEquals(half.get("map50Voc07").asDouble(), eval(pruned, "group"), 1e-12);
        PrunedNetwork without = BlockSurgeon.remove(model.spec(), model.weights(), List.of(block.block())).network();
        assertEquals(removed.get("map50Voc07").asDouble(), eval(without, "block"), 1e-12);
        assertNotEquals(base.get("map50Voc07").asDouble(), half.get("map50Voc07").asDouble(),
                "pruning half a group changes the score, so the equalities above mean something");

        String md = Files.readString(out.resolve("sensitivity.md"));
        assertTrue(md.startsWith("# Pruning sensitivity") && md.contains("| " + group.name() + " | 0.50 |")
                && md.contains("| " + block.name() + " | removed |") && md.contains("Measured with `edgeslim "
                + "sensitivity"), md);
        // a second run refuses nothing of its own, a foreign file is refused and left as it was
        Files.writeString(out.resolve("sensitivity.md"), "my notes\n");
        r = CliRunner.run("sensitivity", "--cfg", cfg.toString(), "--weights", weights.toString(), "--data",
                voc.toString(), "--out", out.toString(), "--only", block.name(), "--quiet");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("sensitivity.md") && r.err().contains("--force"), r.err());
        assertEquals("my notes\n", Files.readString(out.resolve("sensitivity.md")));
    }

    private double eval(PrunedNetwork net, String name) throws Exception {
        Path c = dir.resolve(name + ".cfg");
        Path w = dir.resolve(name + ".weights");
        new DarknetModel(net.spec(), net.weights()).write(c, w);
        CliRunner r = CliRunner.run("eval", "--cfg", c.toString(), "--weights", w.toString(), "--data",
                voc.toString(), "--names", cfg.resolveSibling("classes.names").toString(), "--threads", "2",
                "--quiet", "--json");
        assertEquals(0, r.code(), r.err());
        return Json.MAPPER.readTree(r.out()).get("map50_voc07").asDouble();
    }

    @Test
    void badRatiosAndUnknownPartsAreRefusedBeforeAnythingIsWritten() {
        Path out = dir.resolve("refused");
        for (String[] bad : new String[][]{{"--ratios", "0.5,1"}, {"--ratios", "-0.1"}, {"--ratios", "x"},
                {"--only", "no-such-group"}, {"--prune-nothing"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("sensitivity", "--cfg", cfg.toString(),
                    "--weights", weights.toString(), "--data", voc.toString(), "--out", out.toString(), "--quiet"));
            args.addAll(List.of(bad));
            CliRunner r = CliRunner.run(args.toArray(String[]::new));
            assertEquals(Command.USAGE, r.code(), String.join(" ", bad) + ": " + r.err());
            assertTrue(r.oneLineError(), r.err());
            assertFalse(Files.exists(out), String.join(" ", bad));
        }
        CliRunner r = CliRunner.run("sensitivity", "--cfg", cfg.toString(), "--weights", weights.toString(), "--data",
                voc.toString(), "--out", out.toString(), "--ratios", "1.5");
        assertTrue(r.err().contains("--ratios: each ratio must be within [0,1), got 1.5"), r.err());
    }
}
