package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code compress} killed (SIGKILL, in a child JVM) in the middle of the sparse-training stage and again in the
 * middle of the distillation stage, then run to completion, gives the same files as an uninterrupted run of the
 * same command: the same weights bit for bit, the same pruning, the same per-step losses, the same report
 * numbers. Re-running a finished run redoes nothing.
 */
class CompressResumeTest {
    /** 8 images in batches of 4: 2 iterations per epoch; the kills come at the end of epoch 1 of 2. */
    static final int EPOCHS = 2;
    static final int ITERATIONS = EPOCHS * 2;

    @TempDir
    static Path dir;
    static Path voc;
    static CompressFixture.Model model;
    static Path reference;
    static double referenceSeconds;

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        voc = CompressFixture.voc(dir, 8, 4);
        model = CompressFixture.model(dir.resolve("in"), "tiny", 7);
        reference = dir.resolve("reference");
        long started = System.nanoTime();
        CliRunner r = CompressFixture.run(CompressFixture.compress(model, voc, reference, EPOCHS));
        referenceSeconds = (System.nanoTime() - started) / 1e9;
        assertEquals(0, r.code(), r.err());
        System.out.printf("uninterrupted compress: %.1f s%n", referenceSeconds);
    }

    @Test
    void killedInTwoStagesThenResumedEqualsTheUninterruptedRun() throws Exception {
        Path out = dir.resolve("interrupted");
        List<String> args = CompressFixture.compress(model, voc, out, EPOCHS);

        killWhenWritten(args, out.resolve("1-sparse/checkpoints/checkpoint.json"), dir.resolve("child-1.log"));
        JsonNode manifest = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertFalse(manifest.path("stages").has(CompressCommand.SPARSE), "killed before sparse training finished");
        assertTrue(checkpointIteration(out.resolve("1-sparse")) < ITERATIONS);
        assertFalse(Files.exists(out.resolve("1-sparse/final.weights")));

        killWhenWritten(args, out.resolve("3-distill/checkpoints/checkpoint.json"), dir.resolve("child-2.log"));
        manifest = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        assertTrue(manifest.path("stages").has(CompressCommand.PRUNE));
        assertFalse(manifest.path("stages").has(CompressCommand.DISTILL), "killed before distillation finished");
        assertTrue(checkpointIteration(out.resolve("3-distill")) < ITERATIONS);

        CliRunner r = CompressFixture.run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("sparse training: done, skipped"), r.err());
        assertTrue(r.err().contains("group pruning: done, skipped"), r.err());
        assertTrue(r.err().contains("distillation fine-tuning: resuming"), r.err());

        for (String file : List.of("1-sparse/final.weights", "1-sparse/gamma-stats.json", "1-sparse/gamma/all.png", "2-prune/pruned.cfg",
                "2-prune/pruned.weights", "2-prune/plan.json", "3-distill/model.cfg", "3-distill/final.weights")) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(file)), Files.readAllBytes(out.resolve(file)),
                    file + " differs from the uninterrupted run's");
        }
        for (String stage : List.of("1-sparse", "3-distill")) {
            List<JsonNode> expected = metricsWithoutSpeed(reference.resolve(stage));
            assertEquals(ITERATIONS + EPOCHS, expected.size(), "one line per step and per epoch");
            assertEquals(expected, metricsWithoutSpeed(out.resolve(stage)), stage + " losses differ");
        }
        JsonNode a = Json.MAPPER.readTree(reference.resolve("report.json").toFile()).get("models");
        JsonNode b = Json.MAPPER.readTree(out.resolve("report.json").toFile()).get("models");
        assertEquals(4, a.size());
        for (int i = 0; i < a.size(); i++) {
            for (String field : List.of("name", "map07", "map12", "params", "bflops", "bytes")) {
                assertEquals(a.get(i).get(field), b.get(i).get(field), a.get(i).get("name") + " " + field);
            }
        }
        assertTrue(a.get(2).get("params").asLong() < a.get(0).get("params").asLong(), "the model was pruned");
    }

    @Test
    void rerunningAFinishedRunSkipsEveryStageAndRewritesNothing() throws Exception {
        List<String> before = CompressFixture.listing(reference);
        long started = System.nanoTime();
        CliRunner r = CompressFixture.run(CompressFixture.compress(model, voc, reference, EPOCHS));
        double seconds = (System.nanoTime() - started) / 1e9;
        assertEquals(0, r.code(), r.err());
        for (String stage : List.of("sparse training", "group pruning", "distillation fine-tuning", "report")) {
            assertTrue(r.err().contains("== " + stage + ": done, skipped"), r.err());
        }
        assertTrue(r.out().contains("| pruned + distilled |"), "the finished run's table is printed: " + r.out());
        assertEquals(before, CompressFixture.listing(reference), "no file was rewritten");
        System.out.printf("re-run of a finished compress: %.2f s (first run %.1f s)%n", seconds, referenceSeconds);
        assertTrue(seconds < Math.max(2, referenceSeconds / 5), "a finished run takes " + seconds + " s");
    }

    /** Runs {@code args} in a child JVM and kills it (SIGKILL) as soon as {@code trigger} exists. */
    private static void killWhenWritten(List<String> args, Path trigger, Path log) throws Exception {
        Process child = CompressFixture.start(args, log);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
            while (!Files.exists(trigger)) {
                if (!child.isAlive()) {
                    fail("the child ended (exit " + child.exitValue() + ") before writing " + trigger + ":\n"
                            + Files.readString(log));
                }
                if (System.nanoTime() > deadline) {
                    fail("no " + trigger + " after 600 s:\n" + Files.readString(log));
                }
                Thread.sleep(2);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    private static long checkpointIteration(Path stage) throws IOException {
        return Json.MAPPER.readTree(stage.resolve("checkpoints/checkpoint.json").toFile()).get("iteration").asLong();
    }

    /** metrics.jsonl without the one field that depends on the machine's speed. */
    private static List<JsonNode> metricsWithoutSpeed(Path stage) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(stage.resolve("metrics.jsonl"))) {
            ObjectNode n = (ObjectNode) Json.MAPPER.readTree(line);
            n.remove("images_per_s");
            lines.add(n);
        }
        return lines;
    }
}
