package dev.edgeslim.cli;

import dev.edgeslim.detector.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code distill} refuses a teacher that does not fit the student and distillation layers that do not exist,
 * with one line naming the file or flag at fault (exit 2), before it reads the dataset or writes anything.
 */
class DistillCommandTest {
    @TempDir
    static Path dir;
    static CompressFixture.Model student;
    static Path out;

    @BeforeAll
    static void models() throws Exception {
        student = CompressFixture.model(dir.resolve("in"), "student", 1);
        out = dir.resolve("out");
    }

    /** The dataset does not exist: a run that gets past the model checks fails on it instead. */
    private static CliRunner distill(CompressFixture.Model teacher, String... extra) {
        List<String> args = new ArrayList<>(List.of("distill", "--cfg", student.cfg().toString(), "--weights",
                student.weights().toString(), "--teacher-cfg", teacher.cfg().toString(), "--teacher-weights",
                teacher.weights().toString(), "--data", dir.resolve("no-voc").toString(), "--out", out.toString(),
                "--quiet"));
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(String[]::new));
    }

    private static void assertBadInput(CliRunner r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' in: " + r.err());
        }
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aTeacherOfAnotherTopologyIsRefused() throws Exception {
        // control: a fitting teacher passes the model checks and stops at the missing dataset
        assertBadInput(distill(CompressFixture.model(dir.resolve("t"), "same", 2)), "no-voc");

        CompressFixture.Model deeper = CompressFixture.model(dir.resolve("t"), "deeper", 2,
                TinyModels.yolo(64, 8, 16, 16, 16));
        assertBadInput(distill(deeper), "deeper.cfg", "differ in topology", "6 vs 5 layers");

        CompressFixture.Model oneClass = CompressFixture.model(dir.resolve("t"), "one-class", 2,
                CompressFixture.CFG.replace("filters=75", "filters=18").replace("classes=20", "classes=1"));
        assertBadInput(distill(oneClass), "one-class.cfg", "different classes at layer 4");

        CompressFixture.Model larger = CompressFixture.model(dir.resolve("t"), "larger", 2,
                TinyModels.yolo(96, 8, 16, 16));
        assertBadInput(distill(larger), "larger.cfg", "differ in topology at layer 0");

        CompressFixture.Model strided = CompressFixture.model(dir.resolve("t"), "strided", 2,
                CompressFixture.CFG.replaceFirst("stride=2", "stride=1"));
        assertBadInput(distill(strided), "strided.cfg", "differ in topology at layer 0");
    }

    @Test
    void unknownOrUnusableDistillationLayersAreNamed() throws Exception {
        CompressFixture.Model teacher = CompressFixture.model(dir.resolve("t2"), "teacher", 3);
        assertBadInput(distill(teacher, "--layers", "1:2,2"), "no-voc"); // control: valid layers
        assertBadInput(distill(teacher, "--layers", "2,99"), "--layers", "distillation layer 99 does not exist",
                "0..4");
        assertBadInput(distill(teacher, "--layers", "-1"), "--layers", "layer -1 does not exist");
        assertBadInput(distill(teacher, "--layers", "4"), "--layers", "layer 4 is a [yolo] layer");
        assertBadInput(distill(teacher, "--layers", "1:heavy"), "--layers", "'1:heavy'");
        assertBadInput(distill(teacher, "--layers", "1:-2"), "--layers", "non-negative");
        assertBadInput(distill(teacher, "--layers", " , "), "--layers", "no distillation layers");
        Path good = Files.writeString(dir.resolve("good-layers.txt"), "1 2\n2\n");
        assertBadInput(distill(teacher, "--layers-file", good.toString()), "no-voc"); // control: valid file
        Path bad = Files.writeString(dir.resolve("bad-layers.txt"), "1\n# the head\n4\n");
        assertBadInput(distill(teacher, "--layers-file", bad.toString()), "bad-layers.txt", "layer 4 is a [yolo] layer");
        assertEquals(1, distill(teacher, "--layers", "1", "--layers-file", good.toString()).code());
    }

    @Test
    void outputDistillationRunsWithoutAttentionAndNeedsAFittingTeacher() throws Exception {
        CompressFixture.Model teacher = CompressFixture.model(dir.resolve("t3"), "teacher", 4);
        Path voc = CompressFixture.voc(dir.resolve("data"), 4, 0);
        Path run = dir.resolve("output-only");
        CliRunner r = CliRunner.run("distill", "--cfg", student.cfg().toString(), "--weights",
                student.weights().toString(), "--teacher-cfg", teacher.cfg().toString(), "--teacher-weights",
                teacher.weights().toString(), "--data", voc.toString(), "--out", run.toString(), "--no-attention",
                "--output-weight", "1", "--temperature", "3", "--epochs", "1", "--batch", "2", "--eval-split", "none",
                "--quiet");
        assertEquals(0, r.code(), r.err());
        String metrics = Files.readString(run.resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"output_distill_cls\""), "output term logged");
        assertFalse(metrics.contains("\"attention\""), "no attention term with --no-attention");

        CliRunner noTeacher = CliRunner.run("distill", "--cfg", student.cfg().toString(), "--weights",
                student.weights().toString(), "--data", voc.toString(), "--out", out.toString(), "--no-attention",
                "--output-weight", "1", "--quiet");
        assertEquals(1, noTeacher.code(), noTeacher.err());
        assertTrue(noTeacher.err().contains("--teacher-cfg"), noTeacher.err());
        CompressFixture.Model deeper = CompressFixture.model(dir.resolve("t3"), "deeper", 2,
                TinyModels.yolo(64, 8, 16, 16, 16));
        assertBadInput(distill(deeper, "--no-attention", "--output-weight", "1"), "deeper.cfg", "differ in topology");
        assertEquals(1, distill(teacher, "--output-weight", "1", "--temperature", "0").code());
    }
}
