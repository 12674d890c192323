package dev.edgeslim.detector.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VocResultsWriterTest {

    @Test
    void writesOneDevkitFilePerClassThatScoresTheSameWhenReadBack(@TempDir Path dir) throws Exception {
        List<String> classes = List.of("car", "dog");
        List<GroundTruth> gt = List.of(GroundTruth.of("000001", 0, 1, 1, 10, 10),
                GroundTruth.of("000002", 0, 21, 21, 40, 40), GroundTruth.of("000002", 1, 5, 5, 50, 60));
        List<ScoredDetection> dets = List.of(
                new ScoredDetection("000002", 0, 0.25, 22, 21, 40, 41),
                new ScoredDetection("000001", 0, 0.75, 1.5, 1, 10, 10),
                new ScoredDetection("000001", 0, 0.5, 30, 30, 40, 40),
                new ScoredDetection("000002", 1, 0.125, 5, 5, 49.5, 60));
        List<Path> files = VocResultsWriter.write(dir, "test", classes, dets);
        assertEquals(List.of(dir.resolve("comp4_det_test_car.txt"), dir.resolve("comp4_det_test_dog.txt")), files);

        List<String> carLines = Files.readAllLines(files.get(0));
        assertEquals(List.of("000001 0.750000 1.5000 1.0000 10.0000 10.0000",
                "000001 0.500000 30.0000 30.0000 40.0000 40.0000", "000002 0.250000 22.0000 21.0000 40.0000 41.0000"),
                carLines);

        // parse the files as another tool would and score them again
        List<ScoredDetection> readBack = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            for (String line : Files.readAllLines(files.get(c))) {
                String[] f = line.split(" ");
                readBack.add(new ScoredDetection(f[0], c, Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
            }
        }
        VocEvaluator evaluator = new VocEvaluator(classes);
        EvalResult original = evaluator.evaluate(gt, dets);
        EvalResult again = evaluator.evaluate(gt, readBack);
        assertEquals(original.mapAllPoint(), again.mapAllPoint(), 1e-12);
        assertEquals(original.map11Point(), again.map11Point(), 1e-12);
    }

    @Test
    void writesEmptyFilesForClassesWithoutDetectionsAndRejectsUnsafeNames(@TempDir Path dir) throws Exception {
        List<Path> files = VocResultsWriter.write(dir, "val", List.of("car", "dog"), List.of());
        assertEquals(0, Files.size(files.get(1)));
        assertThrows(IllegalArgumentException.class, () -> VocResultsWriter.write(dir, "../x", List.of("car"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> VocResultsWriter.write(dir, "val", List.of("car"),
                List.of(new ScoredDetection("my image", 0, 0.5, 1, 1, 2, 2))));
    }

    @Test
    void datasetKeysBecomePlainIdsOneFileSetAYear(@TempDir Path dir) throws Exception {
        List<ScoredDetection> dets = List.of(new ScoredDetection("VOC2007/000700", 0, 0.5, 1, 1, 10, 10),
                new ScoredDetection("VOC2012/2008_000001", 1, 0.25, 2.125, 3, 20, 30.5));
        List<Path> files = VocResultsWriter.writePerYear(dir, "test", List.of("car", "dog"), List.of("VOC2007",
                "VOC2012"), dets);
        assertEquals(4, files.size());
        assertEquals(List.of("000700 0.500000 1.0000 1.0000 10.0000 10.0000"),
                Files.readAllLines(dir.resolve("VOC2007/comp4_det_test_car.txt")));
        assertEquals(List.of("2008_000001 0.250000 2.1250 3.0000 20.0000 30.5000"),
                Files.readAllLines(dir.resolve("VOC2012/comp4_det_test_dog.txt")));
        assertEquals(0, Files.size(dir.resolve("VOC2012/comp4_det_test_car.txt")));
        // one year: the files go into the folder itself
        Path one = dir.resolve("one");
        VocResultsWriter.writePerYear(one, "test", List.of("car", "dog"), List.of("VOC2007"), dets.subList(0, 1));
        assertEquals(List.of("000700 0.500000 1.0000 1.0000 10.0000 10.0000"),
                Files.readAllLines(one.resolve("comp4_det_test_car.txt")));
    }
}
