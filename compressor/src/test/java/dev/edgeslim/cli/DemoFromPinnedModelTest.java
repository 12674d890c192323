package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.io.Sha256;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code edgeslim demo} from a pinned model (its default path) in miniature: a tiny model trained and pinned with
 * {@code pin-model} stands in for the committed converged one. The demo regenerates the pinned model's synthetic
 * data from its record, checks it against the recorded fingerprint, compresses the pinned weights (not a baseline
 * of its own) and measures both; a pinned model whose data no longer matches is refused in one line.
 */
class DemoFromPinnedModelTest {
    @TempDir
    static Path dir;
    static Path pinned;

    @BeforeAll
    static void pinATinyModel() throws IOException {
        Path voc = CompressFixture.voc(dir, 16, 8);
        CompressFixture.Model m = CompressFixture.model(dir, "tiny", 1);
        Path run = dir.resolve("run");
        CliRunner trained = CliRunner.run("train", "--cfg", m.cfg().toString(), "--data", voc.toString(), "--out",
                run.toString(), "--epochs", "1", "--batch", "4", "--threads", "2", "--eval-split", "none", "--quiet");
        assertEquals(0, trained.code(), trained.err());
        pinned = dir.resolve("pinned");
        CliRunner pin = CliRunner.run("pin-model", "--run", run.toString(), "--data", voc.toString(), "--out",
                pinned.toString(), "--name", "tiny", "--command", "edgeslim train --epochs 1", "--threads", "2");
        assertEquals(0, pin.code(), pin.err());
    }

    @Test
    void compressesThePinnedModelOnItsRegeneratedData() throws IOException {
        Path out = dir.resolve("demo");
        CliRunner r = CliRunner.run("demo", "--pinned", pinned.toString(), "--out", out.toString(),
                "--sparse-epochs", "1", "--finetune-epochs", "1", "--threads", "2", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("baseline: " + pinned), r.out());
        Path voc = out.resolve("voc-tiny");
        assertTrue(Files.isDirectory(voc.resolve("VOC2007/JPEGImages")), "the pinned model's data, regenerated");
        assertFalse(Files.exists(out.resolve("baseline")), "no baseline is trained");
        var manifest = Json.MAPPER.readTree(out.resolve("compress/manifest.json").toFile());
        assertEquals(Sha256.of(pinned.resolve("model.weights")),
                manifest.path("inputs").path("weights").path("sha256").asText(), "the pinned weights were compressed");
        var distillation = manifest.path("options").path("distillation").path("training");
        assertEquals(0.0, distillation.path("mosaic").asDouble(), "distillation sees whole images");
        assertEquals(0.5, manifest.path("options").path("sparse").path("training").path("mosaic").asDouble());
        List<String> rows = DemoCommandTest.table(r.out());
        assertEquals(5, rows.size(), String.join("\n", rows));
        assertEquals(7, DemoCommandTest.runtimeTable(r.out()).size(), r.out());
        assertTrue(Files.size(out.resolve("export/model-int8.tflite")) > 0);
    }

    @Test
    void refusesAPinnedModelWhoseDataNoLongerMatches() throws IOException {
        Path stale = dir.resolve("stale");
        Files.createDirectories(stale);
        for (String f : List.of("model.cfg", "model.weights", "classes.names")) {
            Files.copy(pinned.resolve(f), stale.resolve(f));
        }
        ObjectNode record = (ObjectNode) Json.MAPPER.readTree(pinned.resolve("model.json").toFile());
        ((ObjectNode) record.path("dataset")).put("sha256", "0".repeat(64));
        Files.writeString(stale.resolve("model.json"), Json.MAPPER.writeValueAsString(record));
        Path out = dir.resolve("demo-stale");
        CliRunner r = CliRunner.run("demo", "--pinned", stale.toString(), "--out", out.toString(), "--quiet");
        assertEquals(2, r.code(), r.err());
        // the step being run, then the refusal in one line
        List<String> lines = r.err().lines().filter(l -> !l.isBlank() && !l.startsWith("[1/5]")).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("edgeslim demo: " + stale.resolve("model.json") + ": was trained on data "
                + "with fingerprint"), r.err());
        assertFalse(Files.exists(out.resolve("compress")), "nothing is compressed");
    }
}
