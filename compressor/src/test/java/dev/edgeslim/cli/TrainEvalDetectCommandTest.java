package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * The devkit's results files alone, scored here as the devkit's VOCevaldet and VOCap (11-point) define it against
     * the annotation XMLs, give eval's VOC07 mAP: plain image ids, boxes written with enough digits.
     */
    @Test
    void savedDetectionsScoredIndependentlyGiveEvalsMap() throws Exception {
        Path dets = dir.resolve("dets-scored");
        CliRunner r = CliRunner.run("eval", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", voc.toString(), "--quiet", "--json",
                "--save-detections", dets.toString());
        assertEquals(0, r.code(), r.err());
        double map07 = Json.MAPPER.readTree(r.out()).get("map50_voc07").asDouble();
        Path year = voc.resolve("VOC2007");
        List<String> ids = Files.readAllLines(year.resolve("ImageSets/Main/test.txt")).stream().map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
        // per image: {class name, difficult, x1, y1, x2, y2} of every object
        Map<String, List<String[]>> objects = new HashMap<>();
        var builder = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder();
        for (String id : ids) {
            var doc = builder.parse(year.resolve("Annotations/" + id + ".xml").toFile());
            var list = doc.getElementsByTagName("object");
            List<String[]> objs = new ArrayList<>();
            for (int i = 0; i < list.getLength(); i++) {
                var o = (org.w3c.dom.Element) list.item(i);
                var difficult = o.getElementsByTagName("difficult");
                objs.add(new String[]{text(o, "name"), difficult.getLength() == 0 ? "0"
                        : difficult.item(0).getTextContent().strip(), text(o, "xmin"), text(o, "ymin"),
                        text(o, "xmax"), text(o, "ymax")});
            }
            objects.put(id, objs);
        }
        double sum = 0;
        int scored = 0;
        for (String cls : dev.edgeslim.detector.data.VocClasses.VOC.names()) {
            List<String[]> lines = new ArrayList<>();
            for (String line : Files.readAllLines(dets.resolve("comp4_det_test_" + cls + ".txt"))) {
                String[] f = line.strip().split("\\s+");
                assertTrue(ids.contains(f[0]), "plain image id: " + f[0]);
                lines.add(f);
            }
            lines.sort(java.util.Comparator.comparingDouble((String[] f) -> -Double.parseDouble(f[1])));
            int npos = 0;
            Map<String, boolean[]> detected = new HashMap<>();
            for (String id : ids) {
                List<String[]> objs = objects.get(id);
                detected.put(id, new boolean[objs.size()]);
                for (String[] o : objs) {
                    npos += o[0].equals(cls) && o[1].equals("0") ? 1 : 0;
                }
            }
            if (npos == 0) {
                continue;
            }
            int tp = 0;
            int fp = 0;
            List<double[]> curve = new ArrayList<>(); // {recall, precision}
            for (String[] f : lines) {
                double[] b = {Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                        Double.parseDouble(f[5])};
                List<String[]> objs = objects.get(f[0]);
                double ovmax = -1;
                int jmax = -1;
                for (int j = 0; j < objs.size(); j++) {
                    String[] o = objs.get(j);
                    if (!o[0].equals(cls)) {
                        continue;
                    }
                    double[] g = {Double.parseDouble(o[2]), Double.parseDouble(o[3]), Double.parseDouble(o[4]),
                            Double.parseDouble(o[5])};
                    double iw = Math.min(b[2], g[2]) - Math.max(b[0], g[0]) + 1;
                    double ih = Math.min(b[3], g[3]) - Math.max(b[1], g[1]) + 1;
                    if (iw > 0 && ih > 0) {
                        double ua = (b[2] - b[0] + 1) * (b[3] - b[1] + 1) + (g[2] - g[0] + 1) * (g[3] - g[1] + 1)
                                - iw * ih;
                        if (iw * ih / ua > ovmax) {
                            ovmax = iw * ih / ua;
                            jmax = j;
                        }
                    }
                }
                if (ovmax >= 0.5) {
                    if (objs.get(jmax)[1].equals("1")) {
                        curve.add(new double[]{tp / (double) npos, tp + fp == 0 ? 0 : tp / (double) (tp + fp)});
                        continue; // difficult: neither
                    }
                    if (detected.get(f[0])[jmax]) {
                        fp++;
                    } else {
                        detected.get(f[0])[jmax] = true;
                        tp++;
                    }
                } else {
                    fp++;
                }
                curve.add(new double[]{tp / (double) npos, tp / (double) (tp + fp)});
            }
            double ap = 0;
            for (int k = 0; k <= 10; k++) {
                double t = k / 10.0;
                double p = 0;
                for (double[] point : curve) {
                    if (point[0] >= t) {
                        p = Math.max(p, point[1]);
                    }
                }
                ap += p / 11;
            }
            sum += ap;
            scored++;
        }
        assertTrue(scored > 0);
        assertEquals(map07, sum / scored, 1e-4);
    }

    private static String text(org.w3c.dom.Element e, String tag) {
        return e.getElementsByTagName(tag).item(0).getTextContent().strip();
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

    /** --compare-resize: the own row is plain eval, the other row is eval of the same model told to letterbox. */
    @Test
    void compareResizeMeasuresTheModelsOwnTransformAndTheOther() throws Exception {
        Path modelCfg = run.resolve("model.cfg");
        String weights = run.resolve("final.weights").toString();
        CliRunner both = CliRunner.run("eval", "--cfg", modelCfg.toString(), "--weights", weights, "--data",
                voc.toString(), "--quiet", "--json", "--compare-resize");
        assertEquals(0, both.code(), both.err());
        JsonNode n = Json.MAPPER.readTree(both.out());
        String own = n.get("resize").asText();
        String other = own.equals("stretch") ? "letterbox" : "stretch";
        assertEquals(other, n.get("other_resize").get("resize").asText());

        CliRunner plain = CliRunner.run("eval", "--cfg", modelCfg.toString(), "--weights", weights, "--data",
                voc.toString(), "--quiet", "--json");
        assertEquals(0, plain.code(), plain.err());
        assertEquals(Json.MAPPER.readTree(plain.out()).get("map50_voc12").asDouble(), n.get("map50_voc12").asDouble());

        Path flipped = dir.resolve("flipped.cfg");
        String text = Files.readString(modelCfg).replaceAll("(?m)^letter_box=.*\\R", "");
        Files.writeString(flipped, text.replaceFirst("\\[net\\]", "[net]\nletter_box=" + (other.equals("letterbox") ? 1 : 0)));
        CliRunner forced = CliRunner.run("eval", "--cfg", flipped.toString(), "--weights", weights, "--data",
                voc.toString(), "--quiet", "--json");
        assertEquals(0, forced.code(), forced.err());
        JsonNode f = Json.MAPPER.readTree(forced.out());
        assertEquals(other, f.get("resize").asText());
        assertEquals(f.get("map50_voc07").asDouble(), n.get("other_resize").get("map50_voc07").asDouble());
        assertEquals(f.get("map50_voc12").asDouble(), n.get("other_resize").get("map50_voc12").asDouble());

        CliRunner table = CliRunner.run("eval", "--cfg", modelCfg.toString(), "--weights", weights, "--data",
                voc.toString(), "--quiet", "--compare-resize");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("| " + own + " (the model's own") && table.out().contains("| " + other
                + " (forced)"), table.out());
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
