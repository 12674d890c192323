package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.compressor.export.tflite.TfliteMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Class names said once: a VOC-format dataset with three classes of its own is trained with {@code --names}, and
 * eval, prune and export then pick the names up from the model's folder without being told again.
 */
class CustomClassesTest {
    static final List<String> CLASSES = List.of("mask", "no-mask", "helmet");
    /** A 3-class model: the head has 3 anchors x (5 + 3) outputs. */
    static final String TINY3 = dev.edgeslim.detector.TinyModels.yolo(64, 8, 16, 16)
            .replace("filters=75", "filters=24").replace("classes=20", "classes=3");

    @TempDir
    static Path dir;
    static Path voc;
    static Path cfg;
    static Path names;
    static Path run;

    @BeforeAll
    static void trainOnce() throws Exception {
        voc = dir.resolve("voc");
        CliRunner g = CliRunner.run("synth-voc", "--out", voc.toString(), "--train", "8", "--test", "4", "--size", "64",
                "--seed", "5", "--quiet");
        assertEquals(0, g.code(), g.err());
        renameClasses(voc);
        cfg = dir.resolve("tiny3.cfg");
        Files.writeString(cfg, TINY3);
        names = dir.resolve("obj.names");
        Files.writeString(names, String.join("\n", CLASSES) + "\n");
        run = dir.resolve("run");
        CliRunner t = CliRunner.run("train", "--cfg", cfg.toString(), "--data", voc.toString(), "--names",
                names.toString(), "--out", run.toString(), "--epochs", "1", "--batch", "4", "--burn-in", "0",
                "--threads", "2", "--quiet", "--json");
        assertEquals(0, t.code(), t.err());
    }

    /** Gives every object of the synthetic VOC one of three own class names (by its VOC class, cyclically). */
    static void renameClasses(Path root) throws IOException {
        List<String> voc = dev.edgeslim.detector.data.VocClasses.VOC.names();
        Pattern name = Pattern.compile("<name>([^<]+)</name>");
        List<Path> xmls = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".xml")).forEach(xmls::add);
        }
        assertFalse(xmls.isEmpty());
        for (Path xml : xmls) {
            Matcher m = name.matcher(Files.readString(xml));
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                int id = voc.indexOf(m.group(1));
                m.appendReplacement(b, "<name>" + (id < 0 ? m.group(1) : CLASSES.get(id % CLASSES.size())) + "</name>");
            }
            m.appendTail(b);
            Files.writeString(xml, b.toString());
        }
    }

    @Test
    void theRunFolderRecordsTheNames() throws IOException {
        assertEquals(CLASSES, Files.readAllLines(run.resolve("classes.names")));
    }

    @Test
    void withoutNamesTheErrorListsTheNamesFoundAndShowsTheFlag() {
        CliRunner r = CliRunner.run("train", "--cfg", cfg.toString(), "--data", voc.toString(), "--out",
                dir.resolve("refused").toString(), "--epochs", "1", "--quiet");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError(), r.err());
        assertTrue(r.err().contains("[helmet, mask, no-mask]") && r.err().contains("--names"), r.err());
        assertFalse(Files.exists(dir.resolve("refused")), "nothing written");
        // a 20-class model on the same data: the annotations' names are listed too
        Path cfg20 = dir.resolve("tiny20.cfg");
        try {
            Files.writeString(cfg20, dev.edgeslim.detector.TinyModels.yolo(64, 8, 16, 16));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        CliRunner v = CliRunner.run("train", "--cfg", cfg20.toString(), "--data", voc.toString(), "--out",
                dir.resolve("refused20").toString(), "--epochs", "1", "--quiet");
        assertEquals(2, v.code(), v.err());
        assertTrue(v.oneLineError() && v.err().contains("[helmet, mask, no-mask]") && v.err().contains("--names"),
                v.err());
    }

    @Test
    void aNamesFileOfAnotherCountIsRefusedNamingBothNumbers() throws IOException {
        Path two = dir.resolve("two.names");
        Files.writeString(two, "mask\nno-mask\n");
        CliRunner r = CliRunner.run("eval", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", voc.toString(), "--names", two.toString(),
                "--quiet");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("two.names") && r.err().contains("2 class names")
                && r.err().contains("3 classes"), r.err());
    }

    @Test
    void evalPruneAndExportPickTheNamesUpFromTheModel() throws Exception {
        CliRunner e = CliRunner.run("eval", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", voc.toString(), "--quiet", "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode n = Json.MAPPER.readTree(e.out());
        List<String> reported = new ArrayList<>();
        n.get("classes").forEach(c -> reported.add(c.get("name").asText()));
        assertEquals(CLASSES, reported);

        Path pruned = dir.resolve("pruned");
        CliRunner p = CliRunner.run("prune", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--ratio", "0.25", "--out", pruned.toString());
        assertEquals(0, p.code(), p.err());
        assertEquals(CLASSES, Files.readAllLines(pruned.resolve("classes.names")));

        Path tflite = dir.resolve("export/tiny3.tflite");
        CliRunner x = CliRunner.run("export", "--cfg", pruned.resolve("pruned.cfg").toString(), "--weights",
                pruned.resolve("pruned.weights").toString(), "--format", "tflite", "--out", tflite.toString());
        assertEquals(0, x.code(), x.err());
        assertEquals(CLASSES, TfliteMetadata.read(TfliteMetadata.fileFor(tflite)).classNames());
    }

    @Test
    void aNamesFileWithARepeatedOrBlankNameIsRefusedAtItsLine() throws IOException {
        Path repeated = dir.resolve("repeated.names");
        Files.writeString(repeated, "mask\nno-mask\nmask\n");
        CliRunner r = CliRunner.run("eval", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", voc.toString(), "--names", repeated.toString(),
                "--quiet");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("repeated.names:3:"), r.err());
    }
}
