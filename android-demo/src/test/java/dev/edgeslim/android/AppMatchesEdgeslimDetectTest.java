package dev.edgeslim.android;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeslim.cli.EdgeSlim;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.postprocess.Detection;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import dev.edgeslim.detector.weights.DarknetWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The phone and the desktop see the same boxes: the app's detection code on the exported fp32 .tflite (desktop
 * build of the Android Interpreter API) against {@code edgeslim detect} on the darknet cfg + weights it was exported
 * from (TF Java), on the same images and thresholds — same classes, IoU ≥ 0.99, scores within 1e-3.
 */
class AppMatchesEdgeslimDetectTest {
    static final float CONF = 0.2f;

    @BeforeAll
    static void loadRuntime() {
        DesktopTflite.load();
    }

    @Test
    void appBoxesEqualTheDesktopDetectCommand(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("model.cfg");
        Path weights = dir.resolve("model.weights");
        CfgWriter.write(TestModels.spec(), cfg);
        DarknetWeights.write(TestModels.weights(), TestModels.spec(), weights);
        Path names = dir.resolve("model.names");
        Files.writeString(names, String.join("\n", TestModels.CLASS_NAMES) + "\n");
        var model = TestModels.fp32();
        DetectorOptions options = DetectorOptions.defaults().withConfThreshold(CONF);
        int compared = 0;
        int image = 0;
        try (AndroidDetector app = AndroidDetector.open(TestModels.bytes(model), model.metadata().toJson(),
                "detect-parity", new RuntimeSettings(2, Backend.XNNPACK), options)) {
            for (BufferedImage img : TestModels.sampleImages()) {
                Path png = dir.resolve("sample-" + image++ + ".png"); // lossless: both sides read the same pixels
                ImageIO.write(img, "png", png.toFile());
                List<Detection> desktop = runDetect(cfg, weights, names, png);
                List<Detection> phone = app.detect(TestModels.argb(img), img.getWidth(), img.getHeight()).detections();
                AndroidDetectorParityTest.assertSameDetections(desktop, phone);
                compared += desktop.size();
            }
        }
        assertTrue(compared >= 10, "too few boxes to compare: " + compared);
    }

    /** {@code edgeslim detect --json} in-process, its detections parsed back. */
    static List<Detection> runDetect(Path cfg, Path weights, Path names, Path image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new EdgeSlim().run(List.of("detect", "--cfg", cfg.toString(), "--weights", weights.toString(),
                        "--image", image.toString(), "--names", names.toString(), "--conf", String.valueOf(CONF),
                        "--threads", "2", "--json"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        JsonNode root = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        List<Detection> list = new ArrayList<>();
        for (JsonNode d : root.get("detections")) {
            list.add(new Detection(d.get("class_id").asInt(), d.get("class").asText(), (float) d.get("score").asDouble(),
                    (float) d.get("x1").asDouble(), (float) d.get("y1").asDouble(), (float) d.get("x2").asDouble(),
                    (float) d.get("y2").asDouble()));
        }
        return list;
    }
}
