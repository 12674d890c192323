package dev.edgeslim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code compress --rerun-changed}: a finished run re-run with other options redoes only the stages those options
 * change and the stages that read their outputs; the kept stages are not touched, and a redone stage ends exactly
 * as in a fresh run with the new options. Without the flag the folder is refused and the refusal names the stages.
 */
class CompressRerunChangedTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheStagesTheChangedOptionsReachAreRedone() throws Exception {
        Path voc = CompressFixture.voc(dir, 8, 2);
        CompressFixture.Model model = CompressFixture.model(dir.resolve("in"), "tiny", 7);
        Path run = dir.resolve("run");
        CliRunner first = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--ablation"));
        assertEquals(0, first.code(), first.err());
        List<String> sparse = CompressFixture.listing(run.resolve("1-sparse"));
        List<String> prune = CompressFixture.listing(run.resolve("2-prune"));
        List<String> plain = CompressFixture.listing(run.resolve("3-plain-finetune"));
        byte[] distilledBefore = Files.readAllBytes(run.resolve("3-distill/final.weights"));
        byte[] manifest = Files.readAllBytes(run.resolve("manifest.json"));

        // the attention weight is stage 3's alone: refused without the flag, naming the stage, nothing touched
        String[] attention = {"--attention-weight", "5"};
        CliRunner refused = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, attention));
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.oneLineError(), refused.err());
        assertTrue(refused.err().contains("other options (they change 3-distill)")
                && refused.err().contains("--rerun-changed"), refused.err());
        assertArrayEquals(manifest, Files.readAllBytes(run.resolve("manifest.json")));

        CliRunner rerun = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--attention-weight", "5",
                "--rerun-changed"));
        assertEquals(0, rerun.code(), rerun.err());
        assertTrue(rerun.err().contains("redoing 3-distill\n"), rerun.err());
        for (String stage : List.of("sparse training", "group pruning")) {
            assertTrue(rerun.err().contains("== " + stage + ": done, skipped"), rerun.err());
        }
        assertEquals(sparse, CompressFixture.listing(run.resolve("1-sparse")), "stage 1 untouched");
        assertEquals(prune, CompressFixture.listing(run.resolve("2-prune")), "stage 2 untouched");
        // the ablation (plain fine-tuning) does not read the attention weight: kept, still in the report
        assertEquals(plain, CompressFixture.listing(run.resolve("3-plain-finetune")), "ablation untouched");
        assertTrue(Files.readString(run.resolve("report.md")).contains("ablation"));
        byte[] distilledAfter = Files.readAllBytes(run.resolve("3-distill/final.weights"));
        assertFalse(java.util.Arrays.equals(distilledBefore, distilledAfter), "stage 3 was trained again");

        // ... exactly as a fresh run with the new options
        Path fresh = dir.resolve("fresh");
        CliRunner reference = CompressFixture.run(CompressFixture.compress(model, voc, fresh, 1, attention));
        assertEquals(0, reference.code(), reference.err());
        assertArrayEquals(Files.readAllBytes(fresh.resolve("3-distill/final.weights")), distilledAfter);

        // the same command again: nothing to redo
        CliRunner again = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--attention-weight", "5"));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("== report: done, skipped"), again.err());

        // a pruning option: stage 2 and everything that reads the pruned model are redone, stage 1 is kept
        CliRunner ratio = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--attention-weight", "5",
                "--ratio", "0.3", "--rerun-changed"));
        assertEquals(0, ratio.code(), ratio.err());
        assertTrue(ratio.err().contains("redoing 2-prune, 3-distill, 3-plain-finetune\n"), ratio.err());
        assertEquals(sparse, CompressFixture.listing(run.resolve("1-sparse")), "stage 1 untouched");
        assertNotEquals(prune, CompressFixture.listing(run.resolve("2-prune")));
        assertTrue(ratio.err().contains("== ablation: plain fine-tuning\n"), "the run keeps its ablation: " + ratio.err());
        assertNotEquals(plain, CompressFixture.listing(run.resolve("3-plain-finetune")));
        assertTrue(Files.readString(run.resolve("report.md")).contains("pruned + plain fine-tuning (ablation)"));
        assertTrue(Files.readString(run.resolve("2-prune/prune-report.md")).contains("ratio 0.3"));

        // a report-only option: nothing is trained again
        CliRunner latency = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--attention-weight", "5",
                "--ratio", "0.3", "--latency-runs", "3", "--rerun-changed"));
        assertEquals(0, latency.code(), latency.err());
        assertTrue(latency.err().contains("only the report is made again"), latency.err());
        assertFalse(latency.err().contains("== report: done, skipped"), latency.err());
    }
}
