package dev.edgeslim.detector.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every expected AP below is computed by hand in the comments. */
class VocEvaluatorTest {
    private static final double EPS = 1e-12;
    private static final VocEvaluator ONE_CLASS = new VocEvaluator(List.of("car"));

    private static ScoredDetection det(String image, double score, double x1, double y1, double x2, double y2) {
        return new ScoredDetection(image, 0, score, x1, y1, x2, y2);
    }

    @Test
    void vocOverlapAddsOnePixelToEverySide() {
        // [1,10] and [6,15] are both 10 px wide: intersection 5x10 = 50, union 100 + 100 - 50 = 150
        assertEquals(1.0 / 3.0, VocOverlap.iou(1, 1, 10, 10, 6, 1, 15, 10), EPS);
        // continuous IoU would give 4*9 / (81 + 81 - 36) = 0.2857; touching boxes overlap by one pixel column
        assertEquals(10.0 / 190.0, VocOverlap.iou(1, 1, 10, 10, 10, 1, 19, 10), EPS);
        assertEquals(0.0, VocOverlap.iou(1, 1, 10, 10, 11, 1, 20, 10), EPS);
    }

    @Test
    void threeTruthsFourDetectionsComputedByHand() {
        // image a: A=[1,1,10,10], B=[21,21,30,30]; image b: C=[1,1,10,10]; 3 positives
        List<GroundTruth> gt = List.of(
                GroundTruth.of("a", 0, 1, 1, 10, 10),
                GroundTruth.of("a", 0, 21, 21, 30, 30),
                GroundTruth.of("b", 0, 1, 1, 10, 10));
        // sorted by score: 0.9 on A (TP), 0.8 nowhere (FP), 0.7 on C (TP), 0.6 on B (TP); given shuffled
        List<ScoredDetection> dets = List.of(
                det("b", 0.7, 1, 1, 10, 10),
                det("a", 0.6, 21, 21, 30, 30),
                det("a", 0.9, 1, 1, 10, 10),
                det("a", 0.8, 41, 41, 50, 50));
        ClassEvaluation c = ONE_CLASS.evaluate(gt, dets).forClass(0);
        // cumulative TP 1,1,2,3 and FP 0,1,1,1
        // precision 1/1, 1/2, 2/3, 3/4; recall 1/3, 1/3, 2/3, 3/3
        assertArrayEquals(new double[] {1, 0.5, 2.0 / 3, 0.75}, c.precision(), EPS);
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 2.0 / 3, 1}, c.recall(), EPS);
        assertEquals(3, c.positives());
        assertEquals(4, c.detections());
        assertEquals(3, c.truePositives());
        assertEquals(1, c.falsePositives());
        // all-point: envelope over recall is 1 on (0,1/3], then max(2/3,3/4)=3/4 on (1/3,2/3] and 3/4 on (2/3,1]
        //   AP = 1/3*1 + 1/3*0.75 + 1/3*0.75 = 0.833333...
        assertEquals(1.0 / 3 + 0.25 + 0.25, c.apAllPoint(), EPS);
        // 11-point: t=0,.1,.2,.3 -> 1 (recall 1/3 >= .3); t=.4..1.0 (7 points) -> 3/4
        //   AP = (4*1 + 7*0.75)/11 = 9.25/11 = 0.840909...
        assertEquals(9.25 / 11, c.ap11Point(), EPS);
    }

    @Test
    void elevenPointAndAllPointDiffer() {
        // two objects; detections TP, FP, FP, TP
        List<GroundTruth> gt = List.of(GroundTruth.of("a", 0, 1, 1, 10, 10), GroundTruth.of("a", 0, 51, 51, 60, 60));
        List<ScoredDetection> dets = List.of(
                det("a", 0.9, 1, 1, 10, 10),
                det("a", 0.8, 101, 101, 110, 110),
                det("a", 0.7, 201, 201, 210, 210),
                det("a", 0.6, 51, 51, 60, 60));
        ClassEvaluation c = ONE_CLASS.evaluate(gt, dets).forClass(0);
        // precision 1, 1/2, 1/3, 1/2; recall 1/2, 1/2, 1/2, 1
        assertArrayEquals(new double[] {1, 0.5, 1.0 / 3, 0.5}, c.precision(), EPS);
        // all-point: 0.5*1 + 0.5*0.5 = 0.75
        assertEquals(0.75, c.apAllPoint(), EPS);
        // 11-point: t=0..0.5 (6 points) -> 1, t=0.6..1 (5 points) -> 0.5: (6 + 2.5)/11 = 0.772727...
        assertEquals(8.5 / 11, c.ap11Point(), EPS);

        // recall never reaching 1: two objects, one TP only. all-point 0.5*1 = 0.5; 11-point 6/11 = 0.545454...
        ClassEvaluation half = ONE_CLASS.evaluate(gt, List.of(det("a", 0.9, 1, 1, 10, 10))).forClass(0);
        assertEquals(0.5, half.apAllPoint(), EPS);
        assertEquals(6.0 / 11, half.ap11Point(), EPS);
    }

    @Test
    void difficultObjectsAreNeitherRequiredNorPenalised() {
        List<GroundTruth> gt = List.of(
                GroundTruth.of("a", 0, 1, 1, 10, 10),
                new GroundTruth("a", 0, 51, 51, 60, 60, true));
        // 0.9 on the difficult object (ignored), 0.8 on the normal one (TP), 0.7 nowhere (FP)
        List<ScoredDetection> dets = List.of(
                det("a", 0.9, 51, 51, 60, 60),
                det("a", 0.8, 1, 1, 10, 10),
                det("a", 0.7, 101, 101, 110, 110));
        ClassEvaluation c = ONE_CLASS.evaluate(gt, dets).forClass(0);
        assertEquals(1, c.positives());
        assertEquals(1, c.difficult());
        assertEquals(1, c.ignored());
        assertEquals(1, c.truePositives());
        assertEquals(1, c.falsePositives());
        // curve over non-ignored detections: precision 1, 1/2; recall 1, 1 -> AP 1 in both conventions.
        // (Counting the difficult object as a positive would give recall 1/2 and AP 0.5; counting the ignored
        //  detection as FP would give precision 0, 1/2, 1/3 at recall 0, 1, 1 and AP 0.5.)
        assertArrayEquals(new double[] {1, 0.5}, c.precision(), EPS);
        assertArrayEquals(new double[] {1, 1}, c.recall(), EPS);
        assertEquals(1.0, c.apAllPoint(), EPS);
        assertEquals(1.0, c.ap11Point(), EPS);
    }

    @Test
    void secondDetectionOfTheSameObjectIsAFalsePositive() {
        List<GroundTruth> gt = List.of(GroundTruth.of("a", 0, 1, 1, 10, 10), GroundTruth.of("a", 0, 51, 51, 60, 60));
        List<ScoredDetection> dets = List.of(
                det("a", 0.9, 1, 1, 10, 10),    // TP on A
                det("a", 0.8, 2, 1, 11, 10),    // IoU with A = 9*10/(100+100-90) = 0.818 -> duplicate, FP
                det("a", 0.7, 51, 51, 60, 60)); // TP on B
        ClassEvaluation c = ONE_CLASS.evaluate(gt, dets).forClass(0);
        assertEquals(2, c.truePositives());
        assertEquals(1, c.falsePositives());
        assertEquals(1, c.duplicates());
        // precision 1, 1/2, 2/3; recall 1/2, 1/2, 1
        assertArrayEquals(new double[] {1, 0.5, 2.0 / 3}, c.precision(), EPS);
        // all-point: 0.5*1 + 0.5*(2/3) = 0.833333...; 11-point: (6*1 + 5*(2/3))/11 = 0.848484...
        assertEquals(0.5 + 1.0 / 3, c.apAllPoint(), EPS);
        assertEquals((6 + 5 * 2.0 / 3) / 11, c.ap11Point(), EPS);
    }

    @Test
    void iouExactlyAtThresholdMatches() {
        // [1,1,10,20] vs [1,1,10,10]: intersection 100, union 200 + 100 - 100 = 200 -> IoU exactly 0.5
        List<GroundTruth> gt = List.of(GroundTruth.of("a", 0, 1, 1, 10, 10));
        ClassEvaluation c = ONE_CLASS.evaluate(gt, List.of(det("a", 0.5, 1, 1, 10, 20))).forClass(0);
        assertEquals(1, c.truePositives());
        // one more row and it drops below: 100 / 210
        ClassEvaluation below = ONE_CLASS.evaluate(gt, List.of(det("a", 0.5, 1, 1, 10, 21))).forClass(0);
        assertEquals(0, below.truePositives());
        assertEquals(0.0, below.apAllPoint(), EPS);
    }

    @Test
    void perfectDetectionsScoreOne() {
        List<GroundTruth> gt = new ArrayList<>();
        List<ScoredDetection> dets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            gt.add(GroundTruth.of("img" + i, i % 2, 10 * i + 1, 1, 10 * i + 8, 9));
            dets.add(new ScoredDetection("img" + i, i % 2, 0.5 + 0.1 * (i % 3), 10 * i + 1, 1, 10 * i + 8, 9));
        }
        EvalResult r = new VocEvaluator(List.of("a", "b")).evaluate(gt, dets);
        assertEquals(1.0, r.map11Point(), EPS);
        assertEquals(1.0, r.mapAllPoint(), EPS);
        assertEquals(5, r.truePositives());
        assertEquals(0, r.falsePositives());
    }

    @Test
    void noDetectionsScoreZero() {
        EvalResult r = ONE_CLASS.evaluate(List.of(GroundTruth.of("a", 0, 1, 1, 10, 10)), List.of());
        assertEquals(0.0, r.forClass(0).ap11Point(), EPS);
        assertEquals(0.0, r.forClass(0).apAllPoint(), EPS);
        assertEquals(0.0, r.mapAllPoint(), EPS);
        assertEquals(0, r.forClass(0).precision().length);
    }

    @Test
    void detectionsOfAnotherClassDoNotMatchAndClassesWithoutPositivesAreExcluded() {
        VocEvaluator evaluator = new VocEvaluator(List.of("car", "dog", "cat"));
        // a car object, a dog detection exactly on it
        EvalResult r = evaluator.evaluate(
                List.of(GroundTruth.of("a", 0, 1, 1, 10, 10)),
                List.of(new ScoredDetection("a", 1, 0.9, 1, 1, 10, 10)));
        assertEquals(0.0, r.forClass(0).apAllPoint(), EPS);        // the car was not found
        assertEquals(1, r.forClass(1).falsePositives());          // the dog detection is a false positive
        assertTrue(Double.isNaN(r.forClass(1).apAllPoint()));     // dog has no positives: no AP
        assertTrue(Double.isNaN(r.forClass(2).ap11Point()));      // cat: nothing at all
        assertFalse(r.forClass(1).scored());
        assertEquals(1, r.scoredClasses());
        assertEquals(0.0, r.mapAllPoint(), EPS);                   // mean over the car class only
        // with a found car, the mean is 1 (not 1/3): unscored classes are left out
        EvalResult found = evaluator.evaluate(List.of(GroundTruth.of("a", 0, 1, 1, 10, 10)),
                List.of(new ScoredDetection("a", 0, 0.9, 1, 1, 10, 10)));
        assertEquals(1.0, found.mapAllPoint(), EPS);
        assertTrue(Double.isNaN(evaluator.evaluate(List.of(), List.of()).map11Point()));
    }

    @Test
    void devkitTakesTheBestOverlapEvenWhenItIsAlreadyMatched() {
        // A=[1,1,10,10] and B=[5,1,14,10] overlap; both detections overlap A best.
        List<GroundTruth> gt = List.of(GroundTruth.of("a", 0, 1, 1, 10, 10), GroundTruth.of("a", 0, 5, 1, 14, 10));
        List<ScoredDetection> dets = List.of(det("a", 0.9, 1, 1, 10, 10), det("a", 0.8, 2, 1, 11, 10));
        // second [2,11]: IoU with A = 9*10/(200-90) = 0.818, with B = 7*10/(200-70) = 0.538 >= 0.5; A is the
        // best overlap and already taken -> duplicate, as in VOCevaldet.m (no fall-back to B)
        ClassEvaluation c = ONE_CLASS.evaluate(gt, dets).forClass(0);
        assertEquals(1, c.truePositives());
        assertEquals(1, c.duplicates());
    }

    @Test
    void rejectsClassIdsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> ONE_CLASS.evaluate(
                List.of(GroundTruth.of("a", 1, 1, 1, 10, 10)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> det("a", 0.5, 10, 1, 1, 10));
    }
}
