package dev.edgeslim.detector.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalReportTest {

    private static EvalResult sample() {
        // class "car": 2 objects, detections TP, FP, TP -> AP all-point 0.5 + 0.5*2/3, 11-point (6 + 5*2/3)/11
        // class "dog": no objects, one detection -> no AP (null in JSON, "-" in the table)
        List<GroundTruth> gt = List.of(GroundTruth.of("a", 0, 1, 1, 10, 10), GroundTruth.of("b", 0, 1, 1, 10, 10));
        List<ScoredDetection> dets = List.of(
                new ScoredDetection("a", 0, 0.9, 1, 1, 10, 10),
                new ScoredDetection("a", 0, 0.8, 31, 31, 40, 40),
                new ScoredDetection("b", 0, 0.7, 1, 1, 10, 10),
                new ScoredDetection("a", 1, 0.6, 1, 1, 10, 10));
        return new VocEvaluator(List.of("car", "dog")).evaluate(gt, dets);
    }

    @Test
    void jsonHoldsEveryNumberAndNullForUndefinedAp(@TempDir Path dir) throws Exception {
        EvalResult r = sample();
        Path file = dir.resolve("eval.json");
        EvalReport.writeJson(file, r);
        JsonNode root = new ObjectMapper().readTree(Files.readString(file));
        assertEquals(0.5, root.get("iouThreshold").asDouble());
        assertEquals(0.5 + 1.0 / 3, root.get("mapAllPoint").asDouble(), 1e-12);
        assertEquals((6 + 5 * 2.0 / 3) / 11, root.get("map11Point").asDouble(), 1e-12);
        assertEquals(1, root.get("scoredClasses").asInt());
        assertEquals(2, root.get("positives").asInt());
        assertEquals(4, root.get("detections").asInt());
        assertEquals(2, root.get("truePositives").asInt());
        assertEquals(2, root.get("falsePositives").asInt());
        JsonNode car = root.get("classes").get(0);
        assertEquals("car", car.get("name").asText());
        assertEquals(3, car.get("precision").size());
        assertEquals(2.0 / 3, car.get("precision").get(2).asDouble(), 1e-12);
        assertEquals(1.0, car.get("recall").get(2).asDouble(), 1e-12);
        JsonNode dog = root.get("classes").get(1);
        assertTrue(dog.get("apAllPoint").isNull());
        assertTrue(dog.get("ap11Point").isNull());
        assertEquals(1, dog.get("falsePositives").asInt());
    }

    @Test
    void tableListsEveryClassAndTheMeans() {
        String table = EvalReport.toTable(sample());
        // car: 11-point (6 + 5*2/3)/11 = 84.85 %, all-point 0.5 + 0.5*2/3 = 83.33 %
        assertTrue(table.contains("| car | 2 | 0 | 3 | 2 | 1 | 84.85 | 83.33 |"), table);
        assertTrue(table.contains("| dog | 0 | 0 | 1 | 0 | 1 | - | - |"), table);
        assertTrue(table.contains("| **mAP@0.50** (1 of 2 classes) | 2 | 0 | 4 | 2 | 2 | 84.85 | 83.33 |"), table);
        assertEquals(5, table.lines().count());
    }

    @Test
    void prCurveIsAPngOfTheRequestedSize(@TempDir Path dir) throws Exception {
        EvalReport.writeAll(dir, "tiny", sample());
        byte[] png = Files.readAllBytes(dir.resolve("tiny-pr.png"));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(image);
        assertEquals(1000, image.getWidth());
        assertEquals(640, image.getHeight());
        assertTrue(Files.exists(dir.resolve("tiny-eval.json")));
        assertTrue(Files.readString(dir.resolve("tiny-eval.md")).startsWith("| class |"));
        // nothing left behind by the atomic writes
        try (var files = Files.list(dir)) {
            assertEquals(3, files.count());
        }
        // an evaluation without any curve still renders
        EvalResult empty = new VocEvaluator(List.of("car")).evaluate(List.of(), List.of());
        assertNotNull(ImageIO.read(new ByteArrayInputStream(EvalReport.prCurvePng(empty, "empty", 300, 200))));
    }
}
