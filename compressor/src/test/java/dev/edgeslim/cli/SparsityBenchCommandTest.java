package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sparse-train under two schedules with automatic strength → bench sparsity; the comparison's pruned mAP must equal
 * what prune + eval give for the same run and ratio.
 */
class SparsityBenchCommandTest {
    static final String TINY = dev.edgeslim.detector.TinyModels.yolo(64, 8, 16, 16);

    @TempDir
    Path dir;

    @Test
    void comparesSchedulesAndAgreesWithPruneAndEval() throws Exception {
        Path voc = dir.resolve("voc");
        assertEquals(0, CliRunner.run("synth-voc", "--out", voc.toString(), "--train", "8", "--test", "4", "--size",
                "64", "--seed", "3", "--quiet").code());
        Path cfg = dir.resolve("tiny.cfg");
        Files.writeString(cfg, TINY);
        Path base = dir.resolve("base");
        assertEquals(0, CliRunner.run("train", "--cfg", cfg.toString(), "--data", voc.toString(), "--out",
                base.toString(), "--epochs", "1", "--batch", "4", "--burn-in", "0", "--eval-split", "none",
                "--threads", "2", "--quiet").code());
        for (String schedule : new String[] {"constant", "dynamic"}) {
            CliRunner s = CliRunner.run("sparse-train", "--cfg", base.resolve("model.cfg").toString(), "--weights",
                    base.resolve("final.weights").toString(), "--data", voc.toString(), "--out",
                    dir.resolve(schedule).toString(), "--schedule", schedule, "--epochs", "2", "--batch", "4",
                    "--burn-in", "0", "--eval-every", "1", "--threads", "2", "--quiet", "--json");
            assertEquals(0, s.code(), s.err());
            JsonNode summary = Json.MAPPER.readTree(s.out());
            assertTrue(summary.get("strength_auto").asBoolean());
            assertTrue(summary.get("strength").asDouble() > 0.002, "auto strength sized to a 4-iteration run");
            assertTrue(summary.has("gamma_lt_0.01"), "the near-zero fraction is in the epoch results");
        }
        Path out = dir.resolve("cmp");
        CliRunner b = CliRunner.run("bench", "sparsity", "--run", "constant=" + dir.resolve("constant"), "--run",
                "dynamic=" + dir.resolve("dynamic"), "--data", voc.toString(), "--ratio", "0.5", "--threads", "2",
                "--out", out.toString());
        assertEquals(0, b.code(), b.err());
        for (String f : new String[] {"sparsity.md", "sparsity.json", "sparsity-gamma.png", "sparsity-map.png"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode runs = Json.MAPPER.readTree(out.resolve("sparsity.json").toFile()).get("runs");
        assertEquals(2, runs.size());
        JsonNode dynamic = runs.get(1);
        assertEquals("dynamic", dynamic.get("name").asText());
        assertEquals(2, dynamic.get("epochs").size());
        assertTrue(dynamic.get("epochs").get(1).has("map50_voc07"));
        assertTrue(dynamic.get("pruned").get("params_removed").asDouble() > 0.2);

        CliRunner prune = CliRunner.run("prune", "--cfg", dir.resolve("dynamic/model.cfg").toString(), "--weights",
                dir.resolve("dynamic/final.weights").toString(), "--ratio", "0.5", "--out",
                dir.resolve("pruned").toString());
        assertEquals(0, prune.code(), prune.err());
        CliRunner eval = CliRunner.run("eval", "--cfg", dir.resolve("pruned/pruned.cfg").toString(), "--weights",
                dir.resolve("pruned/pruned.weights").toString(), "--data", voc.toString(), "--threads", "2",
                "--quiet", "--json");
        assertEquals(0, eval.code(), eval.err());
        assertEquals(Json.MAPPER.readTree(eval.out()).get("map50_voc07").asDouble(),
                dynamic.get("pruned").get("map50_voc07").asDouble(), 1e-9);
    }

    @Test
    void aFolderThatIsNotASparseRunIsOneLineNamingTheFile() throws Exception {
        Path notARun = Files.createDirectories(dir.resolve("empty"));
        CliRunner b = CliRunner.run("bench", "sparsity", "--run", "x=" + notARun, "--data", dir.toString(),
                "--out", dir.resolve("o").toString());
        assertEquals(2, b.code());
        assertTrue(b.oneLineError() && b.err().contains("metrics.jsonl"), b.err());
        assertFalse(Files.exists(dir.resolve("o")));
    }
}
