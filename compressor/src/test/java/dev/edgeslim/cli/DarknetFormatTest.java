package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * darknet's dataset format against the equivalent VOCdevkit (same images, same boxes): the same evaluation and the same
 * training; and its bad input refused naming the file and line.
 */
class DarknetFormatTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path obj;
    static Path run;
    static Path seededCfg;
    static Path seededWeights;

    @BeforeAll
    static void generateAndTrain() throws Exception {
        data = dir.resolve("synth");
        CliRunner g = CliRunner.run("synth-voc", "--out", data.toString(), "--train", "6", "--test", "6", "--size",
                "96", "--seed", "3", "--format", "darknet", "--quiet");
        assertEquals(0, g.code(), g.err());
        obj = data.resolve("obj.data");
        assertTrue(Files.isRegularFile(obj) && Files.isRegularFile(data.resolve("VOC2007/labels/000001.txt")));
        // darknet cannot mark an object difficult: the equivalent VOCdevkit has none either
        try (Stream<Path> xmls = Files.list(data.resolve("VOC2007/Annotations"))) {
            for (Path x : xmls.toList()) {
                Files.writeString(x, Files.readString(x).replace("<difficult>1</difficult>", "<difficult>0</difficult>"));
            }
        }
        Path cfg = dir.resolve("tiny.cfg");
        Files.writeString(cfg, TrainEvalDetectCommandTest.TINY);
        // a seeded model that finds some objects of this data, so that equal numbers mean something
        seededCfg = cfg;
        seededWeights = dir.resolve("seeded.weights");
        var spec = dev.edgeslim.detector.cfg.CfgParser.parse(cfg);
        dev.edgeslim.detector.weights.DarknetWeights.write(
                dev.edgeslim.detector.weights.WeightInitializer.forTesting(spec, 5), spec, seededWeights);
        run = dir.resolve("run");
        CliRunner t = CliRunner.run("train", "--cfg", cfg.toString(), "--data", data.toString(), "--out",
                run.toString(), "--epochs", "2", "--batch", "4", "--burn-in", "0", "--eval-split", "none",
                "--threads", "2", "--quiet");
        assertEquals(0, t.code(), t.err());
    }

    private static JsonNode eval(Path dataset) throws IOException {
        CliRunner r = CliRunner.run("eval", "--cfg", seededCfg.toString(), "--weights", seededWeights.toString(),
                "--data", dataset.toString(), "--quiet", "--json");
        assertEquals(0, r.code(), r.err());
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    void evaluationGivesTheSameNumbersAsTheVocdevkit() throws Exception {
        JsonNode voc = eval(data);
        JsonNode darknet = eval(obj);
        assertEquals(voc.get("images").asInt(), darknet.get("images").asInt());
        assertTrue(voc.get("map50_voc12").asDouble() > 0, "a model that finds something: " + voc);
        for (String f : List.of("map50_voc07", "map50_voc12", "map_coco", "ap50_coco", "ap75_coco")) {
            assertEquals(voc.get(f).asDouble(), darknet.get(f).asDouble(), 1e-9, f);
        }
    }

    @Test
    void trainingFromEitherFormatFollowsTheSameCurve() throws Exception {
        Path fromDarknet = dir.resolve("run-darknet");
        CliRunner t = CliRunner.run("train", "--cfg", run.resolve("model.cfg").toString(), "--data", obj.toString(),
                "--out", fromDarknet.toString(), "--epochs", "2", "--batch", "4", "--burn-in", "0", "--eval-split",
                "none", "--threads", "2", "--quiet");
        assertEquals(0, t.code(), t.err());
        List<Double> a = losses(run.resolve("metrics.jsonl"));
        List<Double> b = losses(fromDarknet.resolve("metrics.jsonl"));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), 1e-4 * Math.max(1, Math.abs(a.get(i))), "step " + i);
        }
    }

    private static List<Double> losses(Path metrics) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = Json.MAPPER.readTree(line);
            if (n.has("losses")) {
                n.get("losses").fields().forEachRemaining(e -> out.add(e.getValue().asDouble()));
            }
        }
        assertTrue(!out.isEmpty(), "losses in " + metrics);
        return out;
    }

    /** One bad label line in a copy of the dataset: refused naming the label file and line, or skipped with --skip-bad. */
    private static void refusedLabel(String name, String line, String message) throws Exception {
        Path copy = dir.resolve("bad-" + name);
        Files.createDirectories(copy.resolve("labels"));
        Files.createDirectories(copy.resolve("images"));
        Files.copy(data.resolve("VOC2007/JPEGImages/000009.jpg"), copy.resolve("images/a.jpg"));
        Files.copy(data.resolve("VOC2007/JPEGImages/000010.jpg"), copy.resolve("images/b.jpg"));
        Files.writeString(copy.resolve("labels/a.txt"), "0 0.5 0.5 0.2 0.2\n" + line + "\n");
        Files.writeString(copy.resolve("labels/b.txt"), "1 0.5 0.5 0.4 0.4\n");
        Files.writeString(copy.resolve("valid.txt"), "images/a.jpg\nimages/b.jpg\n");
        Files.copy(data.resolve("obj.names"), copy.resolve("obj.names"));
        Files.writeString(copy.resolve("obj.data"), "classes = 20\ntrain = valid.txt\nvalid = valid.txt\nnames = obj.names\n");
        String[] args = {"eval", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", copy.resolve("obj.data").toString(), "--quiet",
                "--json"};
        CliRunner r = CliRunner.run(args);
        assertEquals(2, r.code(), name + ": " + r.err());
        assertTrue(r.oneLineError() && r.err().contains("a.txt:2:") && r.err().contains(message), name + ": " + r.err());
        List<String> skipping = new ArrayList<>(List.of(args));
        skipping.add("--skip-bad");
        CliRunner s = CliRunner.run(skipping.toArray(String[]::new));
        assertEquals(0, s.code(), name + " --skip-bad: " + s.err());
        assertEquals(1, Json.MAPPER.readTree(s.out()).get("images").asInt(), name);
    }

    @Test
    void badLabelLinesAreRefusedNamingFileAndLine() throws Exception {
        refusedLabel("four", "0 0.5 0.5 0.1", "4 fields, expected 5");
        refusedLabel("six", "0 0.5 0.5 0.1 0.1 0.9", "6 fields, expected 5");
        refusedLabel("class", "20 0.5 0.5 0.1 0.1", "class id 20 is not below the 20 classes");
        refusedLabel("nan", "3 NaN 0.5 0.1 0.1", "cx NaN is not within [0, 1]");
        refusedLabel("outside", "3 0.5 1.2 0.1 0.1", "cy 1.2 is not within [0, 1]");
    }

    @Test
    void aDataFilePointingOutsideItsFolderOrAtAMissingListIsRefused() throws Exception {
        Path inner = dir.resolve("outside/inner");
        Files.createDirectories(inner);
        Files.writeString(dir.resolve("outside/secret.txt"), "x.jpg\n");
        Files.copy(data.resolve("obj.names"), inner.resolve("obj.names"));
        Files.writeString(inner.resolve("obj.data"), "classes = 20\ntrain = ../secret.txt\nnames = obj.names\n");
        CliRunner r = CliRunner.run("eval", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", inner.resolve("obj.data").toString(), "--quiet");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("obj.data:2:") && r.err().contains("outside"), r.err());
        Files.writeString(inner.resolve("obj.data"), "classes = 20\ntrain = obj.names\nvalid = none.txt\nnames = obj.names\n");
        CliRunner m = CliRunner.run("eval", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", inner.resolve("obj.data").toString(), "--quiet");
        assertEquals(2, m.code(), m.err());
        assertTrue(m.oneLineError() && m.err().contains("obj.data:3:") && m.err().contains("does not exist"), m.err());
    }

    @Test
    void convertDatasetWritesTheSameLabelsAndReplacesNothingUnasked() throws Exception {
        Path copy = dir.resolve("to-convert");
        CliRunner g = CliRunner.run("synth-voc", "--out", copy.toString(), "--train", "6", "--test", "6", "--size",
                "96", "--seed", "3", "--quiet");
        assertEquals(0, g.code(), g.err());
        CliRunner c = CliRunner.run("convert-dataset", "--data", copy.toString(), "--to", "darknet");
        assertEquals(0, c.code(), c.err());
        for (String f : List.of("obj.data", "obj.names", "train.txt", "valid.txt", "VOC2007/labels/000001.txt",
                "VOC2007/labels/000012.txt")) {
            assertEquals(Files.readString(data.resolve(f)), Files.readString(copy.resolve(f)), f);
        }
        Files.writeString(copy.resolve("VOC2007/labels/000003.txt"), "mine\n");
        CliRunner again = CliRunner.run("convert-dataset", "--data", copy.toString(), "--to", "darknet");
        assertEquals(2, again.code(), again.err());
        assertTrue(again.oneLineError() && again.err().contains("--force"), again.err());
        assertEquals("mine\n", Files.readString(copy.resolve("VOC2007/labels/000003.txt")));
        assertEquals(0, CliRunner.run("convert-dataset", "--data", copy.toString(), "--to", "darknet", "--force").code());
    }
}
