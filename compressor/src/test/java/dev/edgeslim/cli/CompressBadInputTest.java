package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code compress} into a folder that holds something else: another run (other weights, other options, or an
 * input file changed in place), a corrupt manifest, files that are not a compress run. Each is refused with one
 * line and exit 2 and the folder is left exactly as it was; {@code --force} replaces only EdgeSlim's files.
 * Bad flags and inputs are refused before anything is written.
 */
class CompressBadInputTest {
    @TempDir
    static Path dir;
    static Path voc;
    static CompressFixture.Model model;
    static Path run;

    @BeforeAll
    static void oneFinishedRun() throws Exception {
        voc = CompressFixture.voc(dir, 8, 2);
        model = CompressFixture.model(dir.resolve("in"), "tiny", 7);
        run = dir.resolve("run");
        CliRunner r = CompressFixture.run(CompressFixture.compress(model, voc, run, 1));
        assertEquals(0, r.code(), r.err());
    }

    private static void assertRefused(CliRunner r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' in: " + r.err());
        }
    }

    @Test
    void anotherRunsFolderIsRefusedAndLeftAsItWas() throws Exception {
        List<String> before = CompressFixture.listing(run);
        CompressFixture.Model other = CompressFixture.model(dir.resolve("other"), "tiny", 8);
        assertRefused(CompressFixture.run(CompressFixture.compress(other, voc, run, 1)), "manifest.json",
                "other inputs");
        assertRefused(CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--ratio", "0.3")),
                "manifest.json", "other options");
        assertRefused(CompressFixture.run(CompressFixture.compress(model, voc, run, 2)), "other options");
        // the same path with other contents is another input
        Path saved = dir.resolve("saved.weights");
        Files.copy(model.weights(), saved);
        try {
            Files.copy(other.weights(), model.weights(), StandardCopyOption.REPLACE_EXISTING);
            assertRefused(CompressFixture.run(CompressFixture.compress(model, voc, run, 1)), "other inputs");
        } finally {
            Files.copy(saved, model.weights(), StandardCopyOption.REPLACE_EXISTING);
        }
        assertEquals(before, CompressFixture.listing(run), "the other run's files are untouched");

        // flags that do not change the result are not "other options"
        List<String> same = new ArrayList<>(CompressFixture.compress(model, voc, run, 1));
        same.remove("--quiet");
        same.add("--verbose");
        CliRunner r = CompressFixture.run(same);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("== distillation fine-tuning: done, skipped"), r.err());
        assertEquals(before, CompressFixture.listing(run));
    }

    @Test
    void forceReplacesOnlyEdgeSlimsFiles() throws Exception {
        Path copy = dir.resolve("forced");
        try (var files = Files.walk(run)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, copy.resolve(run.relativize(f).toString()));
            }
        }
        Path notes = Files.writeString(copy.resolve("notes.txt"), "mine");
        CliRunner r = CompressFixture.run(CompressFixture.compress(model, voc, copy, 1, "--ratio", "0.25", "--force"));
        assertEquals(0, r.code(), r.err());
        assertEquals("mine", Files.readString(notes));
        JsonNode manifest = Json.MAPPER.readTree(copy.resolve("manifest.json").toFile());
        assertTrue(manifest.get("options").toString().contains("0.25"), manifest.toString());
        for (String stage : List.of(CompressCommand.SPARSE, CompressCommand.PRUNE, CompressCommand.DISTILL,
                CompressCommand.REPORT)) {
            assertTrue(manifest.get("stages").has(stage), stage);
        }
        JsonNode plan = Json.MAPPER.readTree(copy.resolve("2-prune/prune-report.json").toFile());
        JsonNode original = Json.MAPPER.readTree(run.resolve("2-prune/prune-report.json").toFile());
        assertTrue(plan.get("total").get("paramsAfter").asLong() > original.get("total").get("paramsAfter").asLong(),
                "pruned again at ratio 0.25, keeping more than at 0.5");
    }

    @Test
    void aCorruptManifestOrAFolderOfOtherFilesIsRefused() throws Exception {
        Path corrupt = Files.createDirectories(dir.resolve("corrupt"));
        Files.writeString(corrupt.resolve("manifest.json"), "{\"inputs\": [");
        List<String> before = CompressFixture.listing(corrupt);
        assertRefused(CompressFixture.run(CompressFixture.compress(model, voc, corrupt, 1)), "manifest.json",
                "not a readable manifest");
        assertEquals(before, CompressFixture.listing(corrupt));

        Files.writeString(corrupt.resolve("manifest.json"), "[1, 2]");
        assertRefused(CompressFixture.run(CompressFixture.compress(model, voc, corrupt, 1)),
                "not an EdgeSlim compress manifest");

        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(photos.resolve("holiday.jpg"), "not really");
        before = CompressFixture.listing(photos);
        assertRefused(CompressFixture.run(CompressFixture.compress(model, voc, photos, 1)), "photos",
                "not empty", "--force");
        assertEquals(before, CompressFixture.listing(photos), "no manifest or stage folder was added");

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertRefused(CompressFixture.run(CompressFixture.compress(model, voc, file, 1)), "not a folder");
    }

    @Test
    void badFlagsAndInputsAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path out = dir.resolve("never");
        String[][] usage = {{"--schedule", "dynamik"}, {"--strength", "-1"}, {"--batch", "0"}, {"--lr", "fast"},
                {"--seed", "-3"}, {"--size", "8"}, {"--attention-weight", "-1"}, {"--target-params", "1"},
                {"--target-flops", "0"}, {"--ratio", "0.5", "--target-params", "0.5"},
                {"--target-params", "0.5", "--target-flops", "1"}, {"--ratio", "0.3", "--target-flops", "0.5"},
                {"--ratio", "1"}};
        for (String[] extra : usage) {
            CliRunner r = CompressFixture.run(CompressFixture.compress(model, voc, out, 1, extra));
            assertEquals(1, r.code(), String.join(" ", extra) + ": " + r.err());
            assertTrue(r.oneLineError(), r.err());
            assertFalse(Files.exists(out), "nothing written for " + String.join(" ", extra));
        }
        CompressFixture.Model deeper = CompressFixture.model(dir.resolve("deeper"), "deeper", 1,
                dev.edgeslim.detector.TinyModels.yolo(64, 8, 16, 16, 16));
        CompressFixture.Model plain = CompressFixture.model(dir.resolve("plain"), "no-bn", 1, CompressFixture.NO_BN_CFG);
        List<List<String>> bad = List.of(
                CompressFixture.compress(new CompressFixture.Model(model.cfg(), deeper.weights()), voc, out, 1),
                CompressFixture.compress(plain, voc, out, 1),
                CompressFixture.compress(new CompressFixture.Model(model.cfg(), dir.resolve("missing.weights")), voc,
                        out, 1),
                CompressFixture.compress(model, dir.resolve("no-voc"), out, 1));
        for (List<String> args : bad) {
            CliRunner r = CompressFixture.run(args);
            assertRefused(r);
            assertFalse(Files.exists(out), "nothing written: " + r.err());
        }
        assertTrue(CompressFixture.run(bad.get(0)).err().contains("deeper.weights"));
        assertTrue(CompressFixture.run(bad.get(1)).err().contains("no-bn.cfg: no channel of this network can be pruned"));
        assertTrue(CompressFixture.run(bad.get(3)).err().contains("no-voc"));
    }
}
