package dev.edgeslim.android;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeslim.cli.EdgeSlim;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's own three classes, end to end: a VOC-format dataset with the quirks of exported annotations, a tiny
 * training run told the names once, then eval, compress, bench and a TFLite export that never hear of them again,
 * and the app's detector code showing them as labels.
 */
class CustomClassesEndToEndTest {
    static final List<String> CLASSES = List.of("mask", "no-mask", "helmet");
    static final String CFG = """
            [net]
            width=64
            height=64
            channels=3
            [convolutional]
            batch_normalize=1
            filters=8
            size=3
            stride=2
            pad=1
            activation=leaky
            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=2
            pad=1
            activation=leaky
            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=2
            pad=1
            activation=leaky
            [convolutional]
            filters=24
            size=1
            stride=1
            activation=linear
            [yolo]
            mask=0,1,2
            anchors=8,8, 16,16, 32,32
            classes=3
            num=3
            """;

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new EdgeSlim().run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @TempDir
    static Path dir;
    static Path voc;
    static Path run;
    static Run trained;

    @BeforeAll
    static void buildDataAndTrain() throws Exception {
        DesktopTflite.load();
        voc = dir.resolve("voc");
        Run g = cli("synth-voc", "--out", voc.toString(), "--train", "8", "--test", "4", "--size", "64", "--seed", "7",
                "--quiet");
        assertEquals(0, g.code(), g.err());
        Path year = voc.resolve("VOC2007");
        Pattern name = Pattern.compile("<name>([^<]+)</name>");
        List<String> vocNames = dev.edgeslim.detector.data.VocClasses.VOC.names();
        for (int i = 1; i <= 12; i++) {
            Path xml = year.resolve(String.format("Annotations/%06d.xml", i));
            Matcher m = name.matcher(Files.readString(xml));
            StringBuilder b = new StringBuilder();
            while (m.find()) { // every VOC class becomes one of the three, cyclically
                m.appendReplacement(b, "<name>" + CLASSES.get(vocNames.indexOf(m.group(1)) % 3) + "</name>");
            }
            m.appendTail(b);
            Files.writeString(xml, b.toString());
        }
        // the quirks of exported annotations
        edit(year.resolve("Annotations/000001.xml"), "(?s)<size>.*?</size>", ""); // no <size>
        edit(year.resolve("Annotations/000002.xml"), "<filename>[^<]*</filename>", "<filename>IMG_0002.jpeg</filename>");
        edit(year.resolve("Annotations/000003.xml"), "</annotation>", "<object><name>helmet</name><bndbox><xmin>9"
                + "</xmin><ymin>9</ymin><xmax>9</xmax><ymax>20</ymax></bndbox></object></annotation>"); // zero area
        edit(year.resolve("Annotations/000004.xml"), "<xmax>[^<]*</xmax>", "<xmax>9999.5</xmax>"); // over the border
        edit(year.resolve("Annotations/000005.xml"), "<difficult>[^<]*</difficult>", ""); // no <difficult>
        Path jpg = year.resolve("JPEGImages/000006.jpg"); // a PNG image
        BufferedImage image = ImageIO.read(jpg.toFile());
        ImageIO.write(image, "png", year.resolve("JPEGImages/000006.png").toFile());
        Files.delete(jpg);

        Path names = dir.resolve("obj.names");
        Files.writeString(names, String.join("\n", CLASSES) + "\n");
        Path cfg = dir.resolve("tiny3.cfg");
        Files.writeString(cfg, CFG);
        run = dir.resolve("run");
        trained = cli("train", "--cfg", cfg.toString(), "--data", voc.toString(), "--names", names.toString(), "--out",
                run.toString(), "--epochs", "1", "--batch", "4", "--burn-in", "0", "--threads", "2", "--quiet");
        assertEquals(0, trained.code(), trained.err());
    }

    private static void edit(Path file, String regex, String replacement) throws Exception {
        String text = Files.readString(file);
        String changed = text.replaceFirst(regex, Matcher.quoteReplacement(replacement));
        assertTrue(!changed.equals(text), file + ": " + regex);
        Files.writeString(file, changed);
    }

    @Test
    void theCustomNamesAppearInEveryOutput() throws Exception {
        // the data check before training said what it corrected
        assertTrue(trained.err().contains("1 zero-area box skipped") && trained.err().contains("clipped at the border")
                && trained.err().contains("taken from the image"), trained.err());

        Run eval = cli("eval", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", voc.toString(), "--quiet", "--json");
        assertEquals(0, eval.code(), eval.err());
        JsonNode e = new ObjectMapper().readTree(eval.out());
        List<String> evalNames = new ArrayList<>();
        e.get("classes").forEach(c -> evalNames.add(c.get("name").asText()));
        assertEquals(CLASSES, evalNames);
        assertTrue(e.has("map_coco"));

        Path compressed = dir.resolve("compress");
        Run c = cli("compress", "--cfg", run.resolve("model.cfg").toString(), "--weights",
                run.resolve("final.weights").toString(), "--data", voc.toString(), "--out", compressed.toString(),
                "--sparse-epochs", "1", "--finetune-epochs", "1", "--ratio", "0.25", "--batch", "4", "--threads", "2",
                "--latency-runs", "1", "--quiet");
        assertEquals(0, c.code(), c.err());
        assertTrue(Files.readString(compressed.resolve("report.md")).contains("mAP@[.5:.95] COCO"));
        Path finalModel = compressed.resolve("3-distill");
        assertEquals(CLASSES, Files.readAllLines(finalModel.resolve("classes.names")));

        Path bench = dir.resolve("bench");
        Run b = cli("bench", "--data", voc.toString(), "--run", compressed.toString(), "--formats", "tf", "--out",
                bench.toString(), "--warmup", "0", "--runs", "1", "--threads", "2", "--quiet");
        assertEquals(0, b.code(), b.err());
        String table = Files.readString(bench.resolve("bench.md"));
        for (String n : CLASSES) {
            assertTrue(table.contains("| " + n + " |"), n + " in the bench table:\n" + table);
        }

        Path tflite = dir.resolve("export/model.tflite");
        Run x = cli("export", "--cfg", finalModel.resolve("model.cfg").toString(), "--weights",
                finalModel.resolve("final.weights").toString(), "--format", "tflite", "--out", tflite.toString());
        assertEquals(0, x.code(), x.err());
        String metadata = Files.readString(Path.of(tflite + ".json"));
        byte[] model = Files.readAllBytes(tflite);
        ByteBuffer buffer = ByteBuffer.allocateDirect(model.length).put(model);
        buffer.rewind();
        try (AndroidDetector app = AndroidDetector.open(buffer, metadata, "custom", new RuntimeSettings(2, true, false),
                DetectorOptions.defaults().withConfThreshold(0.001f))) {
            assertEquals(CLASSES, app.metadata().classNames());
            BufferedImage img = ImageIO.read(voc.resolve("VOC2007/JPEGImages/000009.jpg").toFile());
            int[] argb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
            var found = app.detect(argb, img.getWidth(), img.getHeight()).detections();
            assertTrue(!found.isEmpty(), "a near-zero threshold keeps some boxes");
            found.forEach(d -> assertTrue(CLASSES.contains(d.label()), d.label()));
        }
    }
}
