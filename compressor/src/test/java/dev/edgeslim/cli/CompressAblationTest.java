package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code compress --ablation}: the plain fine-tuning of the same pruned model becomes a stage of the run and a row of
 * the report, also when added to a finished run (stages 1–3 are not repeated); the report links the stages' plots,
 * and every link resolves.
 */
class CompressAblationTest {
    @TempDir
    Path dir;

    @Test
    void ablationIsAddedToAFinishedRunAndReportedBesideDistillation() throws Exception {
        Path voc = CompressFixture.voc(dir, 8, 2);
        CompressFixture.Model model = CompressFixture.model(dir.resolve("in"), "tiny", 7);
        Path run = dir.resolve("run");
        CliRunner first = CompressFixture.run(CompressFixture.compress(model, voc, run, 1));
        assertEquals(0, first.code(), first.err());
        JsonNode before = Json.MAPPER.readTree(run.resolve("report.json").toFile());
        assertEquals(4, before.get("models").size());
        assertLinksResolve(run);
        String distilled = CompressFixture.listing(run.resolve("3-distill")).toString();

        CliRunner second = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--ablation"));
        assertEquals(0, second.code(), second.err());
        for (String stage : List.of("sparse training", "group pruning", "distillation fine-tuning")) {
            assertTrue(second.err().contains("== " + stage + ": done, skipped"), second.err());
        }
        assertTrue(second.err().contains("== ablation: plain fine-tuning\n"), second.err());
        assertEquals(distilled, CompressFixture.listing(run.resolve("3-distill")).toString(), "stage 3 untouched");
        JsonNode after = Json.MAPPER.readTree(run.resolve("report.json").toFile());
        JsonNode models = after.get("models");
        assertEquals(5, models.size());
        assertEquals("pruned + plain fine-tuning (ablation)", models.get(3).get("name").asText());
        assertEquals("pruned + distilled", models.get(4).get("name").asText());
        assertNotEquals(models.get(3).get("weights").asText(), models.get(4).get("weights").asText());
        assertFalse(Files.readString(run.resolve("3-plain-finetune/metrics.jsonl")).contains("attention"),
                "the ablation trains without distillation");
        assertTrue(Files.readString(run.resolve("report.md")).contains("ablation curves"));
        assertLinksResolve(run);

        CliRunner third = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--ablation"));
        assertEquals(0, third.code(), third.err());
        assertTrue(third.err().contains("== ablation: plain fine-tuning: done, skipped"), third.err());
        assertTrue(third.err().contains("== report: done, skipped"), third.err());
        assertTrue(third.out().contains("pruned + plain fine-tuning (ablation)"), third.out());

        CliRunner pointless = CompressFixture.run(CompressFixture.compress(model, voc, dir.resolve("x"), 1, "--ablation",
                "--no-attention"));
        assertEquals(1, pointless.code(), pointless.err());
    }

    private static void assertLinksResolve(Path run) throws Exception {
        String md = Files.readString(run.resolve("report.md"));
        Matcher m = Pattern.compile("\\]\\(([^)]+)\\)").matcher(md);
        int links = 0;
        while (m.find()) {
            links++;
            assertTrue(Files.isRegularFile(run.resolve(m.group(1))), "link " + m.group(1) + " resolves");
        }
        assertTrue(links >= 6, "curves, γ histograms, kept channels, prune report, PR curves: " + md);
        assertTrue(md.contains("1-sparse/gamma/all.png") && md.contains("2-prune/kept-channels.png"), md);
    }
}
