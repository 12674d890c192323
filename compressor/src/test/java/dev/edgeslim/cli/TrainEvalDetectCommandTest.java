package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train → eval → detect through the CLI on a tiny synthetic VOCdevkit, plus their bad-input paths. */
class TrainEvalDetectCommandTest {
    static final String TINY = dev.edgeslim.detector.TinyModels.yolo(64, 8, 16, 16);

    @TempDir
    static Path dir;
    static Path voc;
    static Path cfg;
    static Path run;

    @BeforeAll
    static void trainOnce() throws Exception {
        voc = dir.resolve("voc");
        CliRunner g = CliRunner.run("synth-voc", "--out", voc.toString(), "--train", "8", "--test", "4", "--size", "64",
                "--seed", "2", "--quiet");
        assertEquals(0, g.code(), g.err());
        cfg = dir.resolve("tiny.cfg");
        Files.writeString(cfg, TINY);
        run = dir.resolve("run");
        CliRunner t = CliRunner.run("train", "--cfg", cfg.toString(), "--data", voc.toString(), "--out", run.toString(),
                "--epochs", "2", "--batch", "4", "--burn-in", "0", "--eval-every", "1", "--threads", "2", "--quiet",
                "--json");
        assertEquals(0, t.code(), t.err());
        JsonNode summary = Json.MAPPER.readTree(t.out());
        assertEquals(4, summary.get("iterations").asInt());
        assertTrue(summary.has("map50") && summary.has("images_per_s"));
    }

    @Test
    void trainWritesEverythingItPromises() {
        for (String f : new String[]{"model.cfg", "final.weights", "metrics.jsonl", "curves.png",
                "checkpoints/checkpoint.json", "eval/train-eval.json", "eval/train-pr.png"}) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
    }

    @Test
    void trainRefusesANonEmptyFolderWithoutResumeOrForce() throws Exception {
        CliRunner r = CliRunner.run("train", "--cfg", cfg.toString(), "--data", voc.toString(), "--out", run.toString(),
                "--epochs", "1", "--quiet");
        assertEquals(2, r.code());
        assertTrue(r.oneLineError() && r.err().contains("not empty"), r.err());
        // resume of a finished run does no more work and succeeds
        CliRunner again = CliRunner.run("train", "--cfg", cfg.toString(), "--data", voc.toString(), "--out",
                run.toString(), "--epochs", "2", "--batch", "4", "--burn-in", "0", "--threads", "2", "--quiet",
                "--resume", "--eval-split", "none");
        assertEquals(0, again.code(), again.err());
    }

    @Test
    void evalReportsBothMetricsAndWritesDevkitFiles() throws Exception {
        Path dets = dir.resolve("dets");
        CliRunner r = CliRunner.run("eval", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", voc.toString(), "--quiet", "--json",
                "--save-detections", dets.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode n = Json.MAPPER.readTree(r.out());
        assertEquals(4, n.get("images").asInt());
        assertTrue(n.has("map50_voc07") && n.has("map50_voc12"));
        assertEquals(20, n.get("classes").size());
        try (Stream<Path> files = Files.list(dets)) {
            assertEquals(20, files.filter(p -> p.getFileName().toString().startsWith("comp4_det_test_")).count());
        }
    }

    @Test
    void detectDrawsAnImage() throws Exception {
        Path image;
        try (Stream<Path> s = Files.list(voc.resolve("VOC2007/JPEGImages"))) {
            image = s.sorted().findFirst().orElseThrow();
        }
        Path out = dir.resolve("boxes.png");
        CliRunner r = CliRunner.run("detect", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--image", image.toString(), "--out", out.toString(),
                "--conf", "0.01", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(out) > 100);
        JsonNode n = Json.MAPPER.readTree(r.out());
        assertTrue(n.get("detections").isArray());
    }

    @Test
    void badInputsAreOneLineErrorsWithExitTwoAndNoOutput() throws Exception {
        Path weights = run.resolve("final.weights");
        Path truncated = dir.resolve("truncated.weights");
        byte[] all = Files.readAllBytes(weights);
        Files.write(truncated, Arrays.copyOf(all, all.length / 2));
        Path notImage = dir.resolve("notes.jpg");
        Files.writeString(notImage, "not an image");
        Path out = dir.resolve("never.png");
        String modelCfg = run.resolve("model.cfg").toString();

        CliRunner r = CliRunner.run("detect", "--cfg", modelCfg, "--weights", truncated.toString(), "--image",
                notImage.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.oneLineError() && r.err().contains("truncated.weights"), r.err());

        r = CliRunner.run("detect", "--cfg", modelCfg, "--weights", weights.toString(), "--image", notImage.toString(),
                "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.oneLineError() && r.err().contains("notes.jpg"), r.err());
        assertFalse(Files.exists(out));

        r = CliRunner.run("eval", "--cfg", modelCfg, "--weights", weights.toString(), "--data",
                dir.resolve("no-such-voc").toString(), "--quiet");
        assertEquals(2, r.code());
        assertTrue(r.oneLineError(), r.err());

        r = CliRunner.run("train", "--cfg", modelCfg, "--data", voc.toString(), "--out", dir.resolve("x").toString(),
                "--epochs", "0");
        assertEquals(1, r.code());
        assertFalse(Files.exists(dir.resolve("x")));
    }
}
