package dev.edgeslim.detector.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COCO-style AP on cases worked out by hand, and against a second implementation written here from the published
 * definition (COCO detection evaluation: 10 IoU thresholds, 101 recall points, 100 detections per image, area
 * ranges), structured differently: thresholds outermost, detections pooled before matching, and the interpolated
 * precision at recall r taken as the best precision of any point whose recall is at least r.
 */
class CocoEvaluatorTest {
    private static final double EPS = 1e-12;

    private static CocoResult score(int classes, List<GroundTruth> truth, List<ScoredDetection> detections) {
        return new CocoEvaluator(classes).evaluate(truth, detections);
    }

    @Test
    void oneDetectionOfKnownIouCountsAtTheThresholdsItReaches() {
        // ground truth 100x100 pixels (large); the detection covers its top 72 rows: IoU 0.72
        CocoResult r = score(1, List.of(GroundTruth.of("a", 0, 1, 1, 100, 100)),
                List.of(new ScoredDetection("a", 0, 0.9, 1, 1, 100, 72)));
        // matched at 0.50, 0.55, 0.60, 0.65, 0.70: AP 1 there, 0 at the 5 higher thresholds
        assertEquals(0.5, r.map(), EPS);
        assertEquals(1, r.ap50(), EPS);
        assertEquals(0, r.ap75(), EPS);
        assertEquals(0.5, r.apLarge(), EPS);
        assertTrue(Double.isNaN(r.apSmall()) && Double.isNaN(r.apMedium()), "no small or medium objects");
    }

    @Test
    void aDuplicateIsAFalsePositiveAndTheLooserBoxLosesAtHighThresholds() {
        GroundTruth g = GroundTruth.of("a", 0, 1, 1, 100, 100);
        // best score: IoU 0.6 (matches at 0.50-0.60); second: exact (a duplicate there, the match above 0.60)
        CocoResult r = score(1, List.of(g), List.of(new ScoredDetection("a", 0, 0.9, 1, 1, 100, 60),
                new ScoredDetection("a", 0, 0.8, 1, 1, 100, 100)));
        // 3 thresholds: TP then FP, recall 1 at precision 1 -> AP 1; 7 thresholds: FP then TP -> precision 1/2
        assertEquals((3 * 1 + 7 * 0.5) / 10, r.map(), EPS);
        assertEquals(1, r.ap50(), EPS);
        assertEquals(0.5, r.ap75(), EPS);
    }

    @Test
    void areaRangesIgnoreObjectsAndUnmatchedDetectionsOutsideThem() {
        // a small (20x20 = 400 px) object missed, a medium (50x50) one found exactly, and a large false positive
        List<GroundTruth> truth = List.of(GroundTruth.of("a", 0, 1, 1, 20, 20),
                GroundTruth.of("a", 0, 101, 101, 150, 150));
        List<ScoredDetection> dets = List.of(new ScoredDetection("a", 0, 0.9, 101, 101, 150, 150),
                new ScoredDetection("a", 0, 0.5, 200, 200, 399, 399));
        CocoResult r = score(1, truth, dets);
        // all: recall reaches 0.5 at precision 1 (recall points 0.00..0.50: 51 of 101), the false positive comes after
        assertEquals(51.0 / 101, r.map(), EPS);
        assertEquals(0, r.apSmall(), EPS); // the medium match is ignored, the large FP too: nothing found
        assertEquals(1, r.apMedium(), EPS); // the large unmatched detection lies outside the range: ignored
        assertTrue(Double.isNaN(r.apLarge()));
        // an area of exactly 32^2 is both small and medium, as in COCO
        CocoResult edge = score(1, List.of(GroundTruth.of("b", 0, 1, 1, 32, 32)),
                List.of(new ScoredDetection("b", 0, 0.7, 1, 1, 32, 32)));
        assertEquals(1, edge.apSmall(), EPS);
        assertEquals(1, edge.apMedium(), EPS);
    }

    @Test
    void difficultObjectsAreNeitherRequiredNorPenalised() {
        List<GroundTruth> truth = List.of(GroundTruth.of("a", 0, 1, 1, 100, 100),
                new GroundTruth("a", 0, 201, 201, 300, 300, true));
        CocoResult r = score(2, truth, List.of(new ScoredDetection("a", 0, 0.95, 201, 201, 300, 300),
                new ScoredDetection("a", 0, 0.9, 1, 1, 100, 100)));
        assertEquals(1, r.map(), EPS);
        assertTrue(Double.isNaN(r.perClass()[1]), "a class without objects has no AP");
    }

    @Test
    void onlyTheHundredBestDetectionsOfAnImageAndClassCount() {
        List<ScoredDetection> dets = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // 100 false positives that outscore the one true detection
            dets.add(new ScoredDetection("a", 0, 0.99 - i * 1e-3, 500, 500, 600, 600));
        }
        dets.add(new ScoredDetection("a", 0, 0.01, 1, 1, 100, 100));
        assertEquals(0, score(1, List.of(GroundTruth.of("a", 0, 1, 1, 100, 100)), dets).map(), EPS);
        dets.remove(0); // now the true detection is the 100th: precision 1/100 at recall 1, at every recall point
        assertEquals(0.01, score(1, List.of(GroundTruth.of("a", 0, 1, 1, 100, 100)), dets).map(), EPS);
    }

    @Test
    void agreesWithAnIndependentImplementationOnRandomDetections() {
        Random rnd = new Random(23);
        for (int trial = 0; trial < 30; trial++) {
            int classes = 1 + rnd.nextInt(3);
            List<GroundTruth> truth = new ArrayList<>();
            List<ScoredDetection> dets = new ArrayList<>();
            int images = 1 + rnd.nextInt(8);
            for (int im = 0; im < images; im++) {
                String id = String.format("%06d", im);
                int objects = rnd.nextInt(6);
                for (int o = 0; o < objects; o++) {
                    double size = 8 + rnd.nextDouble() * (rnd.nextBoolean() ? 40 : 200);
                    double x = 1 + rnd.nextDouble() * 300;
                    double y = 1 + rnd.nextDouble() * 300;
                    GroundTruth g = new GroundTruth(id, rnd.nextInt(classes), x, y, x + size,
                            y + size * (0.5 + rnd.nextDouble()), rnd.nextInt(8) == 0);
                    truth.add(g);
                    int hits = rnd.nextInt(3); // misses, hits and duplicates
                    for (int h = 0; h < hits; h++) {
                        double j = size * 0.3;
                        double x1 = g.x1() + (rnd.nextDouble() - 0.5) * j;
                        double y1 = g.y1() + (rnd.nextDouble() - 0.5) * j;
                        dets.add(new ScoredDetection(id, g.classId(), rnd.nextDouble(), x1, y1,
                                Math.max(x1, g.x2() + (rnd.nextDouble() - 0.5) * j),
                                Math.max(y1, g.y2() + (rnd.nextDouble() - 0.5) * j)));
                    }
                }
                int noise = rnd.nextInt(trial % 5 == 0 ? 130 : 5); // now and then more than 100 per image
                for (int n = 0; n < noise; n++) {
                    double x = 1 + rnd.nextDouble() * 300;
                    double y = 1 + rnd.nextDouble() * 300;
                    double s = 4 + rnd.nextDouble() * 150;
                    dets.add(new ScoredDetection(id, rnd.nextInt(classes), rnd.nextDouble(), x, y, x + s, y + s));
                }
            }
            CocoResult r = score(classes, truth, dets);
            double[] expected = Reference.evaluate(classes, truth, dets);
            String where = "trial " + trial;
            assertClose(expected[0], r.map(), where + " mAP");
            assertClose(expected[1], r.ap50(), where + " AP50");
            assertClose(expected[2], r.ap75(), where + " AP75");
            assertClose(expected[3], r.apSmall(), where + " APs");
            assertClose(expected[4], r.apMedium(), where + " APm");
            assertClose(expected[5], r.apLarge(), where + " APl");
        }
    }

    private static void assertClose(double expected, double actual, String what) {
        if (Double.isNaN(expected)) {
            assertTrue(Double.isNaN(actual), what + ": expected NaN, got " + actual);
        } else {
            assertEquals(expected, actual, 1e-6, what);
        }
    }

    /** The published definition, written out directly. */
    private static final class Reference {
        static final double[][] RANGES = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};

        /** mAP, AP50, AP75, AP small, medium, large. */
        static double[] evaluate(int classes, List<GroundTruth> truth, List<ScoredDetection> dets) {
            double[] thresholds = new double[10];
            for (int i = 0; i < 10; i++) {
                thresholds[i] = i == 9 ? 0.95 : 0.5 + i * (0.45 / 9);
            }
            double[] out = new double[6];
            for (int range = 0; range < 4; range++) {
                double[][] ap = new double[classes][]; // [class][threshold], null when no counted object
                for (int c = 0; c < classes; c++) {
                    final int cls = c;
                    final double[] rg = RANGES[range];
                    List<GroundTruth> gts = truth.stream().filter(g -> g.classId() == cls).toList();
                    int counted = (int) gts.stream().filter(g -> !ignored(g, rg)).count();
                    if (counted == 0) {
                        continue;
                    }
                    ap[c] = new double[10];
                    // each image's 100 best detections of the class, then pooled by score
                    List<ScoredDetection> pooled = new ArrayList<>();
                    dets.stream().filter(d -> d.classId() == cls).map(ScoredDetection::imageId).distinct().sorted()
                            .forEach(im -> pooled.addAll(dets.stream()
                                    .filter(d -> d.classId() == cls && d.imageId().equals(im))
                                    .sorted(Comparator.comparingDouble(ScoredDetection::score).reversed())
                                    .limit(100).toList()));
                    pooled.sort(Comparator.comparingDouble(ScoredDetection::score).reversed());
                    for (int t = 0; t < 10; t++) {
                        List<GroundTruth> free = new ArrayList<>(gts);
                        List<double[]> points = new ArrayList<>(); // {recall, precision}
                        int tp = 0;
                        int fp = 0;
                        for (ScoredDetection d : pooled) {
                            GroundTruth m = best(d, free, thresholds[t], rg, false);
                            if (m == null) {
                                m = best(d, free, thresholds[t], rg, true);
                            }
                            if (m != null) {
                                free.remove(m);
                            }
                            boolean ignore = m != null ? ignored(m, rg) : outside(area(d), rg);
                            if (!ignore) {
                                if (m != null) {
                                    tp++;
                                } else {
                                    fp++;
                                }
                            }
                            points.add(new double[]{tp / (double) counted, tp + fp == 0 ? 0 : tp / (double) (tp + fp)});
                        }
                        double sum = 0;
                        for (int k = 0; k <= 100; k++) {
                            double recall = k * 0.01; // the recall points as numpy's linspace(0, 1, 101) makes them
                            double best = 0;
                            for (double[] p : points) {
                                if (p[0] >= recall) {
                                    best = Math.max(best, p[1]);
                                }
                            }
                            sum += best;
                        }
                        ap[c][t] = sum / 101;
                    }
                }
                if (range == 0) {
                    out[0] = mean(ap, 0, 10);
                    out[1] = mean(ap, 0, 1);
                    out[2] = mean(ap, 5, 6);
                } else {
                    out[2 + range] = mean(ap, 0, 10);
                }
            }
            return out;
        }

        /** The free ground truth (ignored ones or not) of highest IoU at least {@code t} in d's image; ties: the last. */
        static GroundTruth best(ScoredDetection d, List<GroundTruth> free, double t, double[] range, boolean ignoredOnes) {
            GroundTruth best = null;
            double bestIou = Math.min(t, 1 - 1e-10);
            for (GroundTruth g : free) {
                if (!g.imageId().equals(d.imageId()) || ignored(g, range) != ignoredOnes) {
                    continue;
                }
                double iou = iou(d, g);
                if (iou >= bestIou) {
                    bestIou = iou;
                    best = g;
                }
            }
            return best;
        }

        static double iou(ScoredDetection d, GroundTruth g) {
            // continuous boxes [x1 - 1, x2]
            double iw = Math.min(d.x2(), g.x2()) - Math.max(d.x1() - 1, g.x1() - 1);
            double ih = Math.min(d.y2(), g.y2()) - Math.max(d.y1() - 1, g.y1() - 1);
            if (iw <= 0 || ih <= 0) {
                return 0;
            }
            double inter = iw * ih;
            return inter / (area(d) + (g.x2() - g.x1() + 1) * (g.y2() - g.y1() + 1) - inter);
        }

        static double area(ScoredDetection d) {
            return (d.x2() - d.x1() + 1) * (d.y2() - d.y1() + 1);
        }

        static boolean ignored(GroundTruth g, double[] range) {
            return g.difficult() || outside((g.x2() - g.x1() + 1) * (g.y2() - g.y1() + 1), range);
        }

        static boolean outside(double area, double[] range) {
            return area < range[0] || area > range[1];
        }

        static double mean(double[][] ap, int from, int to) {
            double sum = 0;
            int n = 0;
            for (double[] a : ap) {
                if (a != null) {
                    for (int t = from; t < to; t++) {
                        sum += a[t] / (to - from);
                    }
                    n++;
                }
            }
            return n == 0 ? Double.NaN : sum / n;
        }
    }
}
