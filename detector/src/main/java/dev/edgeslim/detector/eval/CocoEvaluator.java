package dev.edgeslim.detector.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * COCO-style box AP, following the definition of the COCO evaluation ({@code cocoeval.py}) for boxes without crowd
 * regions: AP averaged over the IoU thresholds 0.50:0.05:0.95 and 101 recall points, at most 100 detections per
 * image and class, and the same at IoU 0.50 and 0.75 and for small ({@code area <= 32²}), medium
 * ({@code 32² <= area <= 96²}) and large ({@code area >= 96²}) objects; both ends of an area range belong to it, as
 * in COCO.
 *
 * <p>Per image and class, detections (best score first, the sort stable) are matched greedily at each threshold: a
 * detection takes the free ground truth of highest IoU at or above the threshold, trying the not-ignored ground
 * truths first; a detection matched to an ignored ground truth is ignored, and so is an unmatched one whose area
 * lies outside the area range. Ground truths outside the range are ignored, and so are VOC's difficult objects (the
 * COCO {@code ignore} flag; there are no crowd regions). Per class, all images' detections are pooled by score, the
 * precision made monotone and read at each recall threshold (the first point reaching it; 0 past the last), and the
 * class's AP is the mean over thresholds and recall points; the mean is over classes with at least one not-ignored
 * ground truth in the range (NaN when none).
 *
 * <p>Boxes are the devkit's 1-based inclusive pixels, i.e. the continuous box [x1 - 1, x2]: IoU is {@link VocOverlap}'s
 * and the area of a box is {@code (x2 - x1 + 1) (y2 - y1 + 1)}.
 */
public final class CocoEvaluator {
    public static final int MAX_DETECTIONS = 100;
    public static final int RECALL_POINTS = 101;
    public static final double SMALL = 32 * 32;
    public static final double LARGE = 96 * 96;
    /** 0.50, 0.55, ... 0.95, computed as numpy's linspace does (so 0.75 is the same double as COCO's). */
    static final double[] IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
    static final double[] RECALL_THRESHOLDS = linspace(0, 1, RECALL_POINTS);

    /** An area range, both ends inclusive. */
    public enum AreaRange {
        ALL(0, 1e10), SMALL(0, CocoEvaluator.SMALL), MEDIUM(CocoEvaluator.SMALL, CocoEvaluator.LARGE),
        LARGE(CocoEvaluator.LARGE, 1e10);

        final double min;
        final double max;

        AreaRange(double min, double max) {
            this.min = min;
            this.max = max;
        }

        boolean excludes(double area) {
            return area < min || area > max;
        }
    }

    private final int classes;

    public CocoEvaluator(int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("at least one class is needed");
        }
        this.classes = classes;
    }

    public CocoResult evaluate(Collection<GroundTruth> truths, Collection<ScoredDetection> detections) {
        List<Map<String, List<GroundTruth>>> truthByClass = new ArrayList<>();
        List<Map<String, List<ScoredDetection>>> detectionsByClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            truthByClass.add(new TreeMap<>());
            detectionsByClass.add(new TreeMap<>());
        }
        for (GroundTruth g : truths) {
            truthByClass.get(check(g.classId())).computeIfAbsent(g.imageId(), k -> new ArrayList<>()).add(g);
        }
        for (ScoredDetection d : detections) {
            detectionsByClass.get(check(d.classId())).computeIfAbsent(d.imageId(), k -> new ArrayList<>()).add(d);
        }
        Map<AreaRange, double[][]> apByRange = new HashMap<>(); // [class][threshold]
        for (AreaRange range : AreaRange.values()) {
            double[][] ap = new double[classes][];
            for (int c = 0; c < classes; c++) {
                ap[c] = classAp(truthByClass.get(c), detectionsByClass.get(c), range);
            }
            apByRange.put(range, ap);
        }
        double[][] all = apByRange.get(AreaRange.ALL);
        return new CocoResult(meanOver(all, 0, IOU_THRESHOLDS.length), meanOver(all, 0, 1), meanOver(all, 5, 6),
                meanOver(apByRange.get(AreaRange.SMALL), 0, IOU_THRESHOLDS.length),
                meanOver(apByRange.get(AreaRange.MEDIUM), 0, IOU_THRESHOLDS.length),
                meanOver(apByRange.get(AreaRange.LARGE), 0, IOU_THRESHOLDS.length), perClass(all));
    }

    private static double[] perClass(double[][] ap) {
        double[] out = new double[ap.length];
        for (int c = 0; c < ap.length; c++) {
            out[c] = ap[c] == null ? Double.NaN : mean(ap[c], 0, ap[c].length);
        }
        return out;
    }

    /** The mean over classes that have an AP of the thresholds {@code from} (inclusive) to {@code to}. */
    private static double meanOver(double[][] ap, int from, int to) {
        double sum = 0;
        int n = 0;
        for (double[] perThreshold : ap) {
            if (perThreshold != null) {
                sum += mean(perThreshold, from, to);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double mean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    /** Per threshold, the class's AP (mean precision over the recall points); null when no ground truth counts. */
    private static double[] classAp(Map<String, List<GroundTruth>> truthByImage,
                                    Map<String, List<ScoredDetection>> detectionsByImage, AreaRange range) {
        int thresholds = IOU_THRESHOLDS.length;
        java.util.SortedSet<String> images = new java.util.TreeSet<>(truthByImage.keySet());
        images.addAll(detectionsByImage.keySet());
        List<Double> scores = new ArrayList<>();
        List<boolean[]> matchedAt = new ArrayList<>();
        List<boolean[]> ignoredAt = new ArrayList<>();
        int positives = 0;
        for (String image : images) {
            List<GroundTruth> gts = new ArrayList<>(truthByImage.getOrDefault(image, List.of()));
            // not-ignored ground truths first (stable), so they are preferred
            gts.sort(Comparator.comparing(g -> ignored(g, range)));
            boolean[] gtIgnored = new boolean[gts.size()];
            for (int g = 0; g < gts.size(); g++) {
                gtIgnored[g] = ignored(gts.get(g), range);
                positives += gtIgnored[g] ? 0 : 1;
            }
            List<ScoredDetection> dts = new ArrayList<>(detectionsByImage.getOrDefault(image, List.of()));
            dts.sort(Comparator.comparingDouble(ScoredDetection::score).reversed());
            if (dts.size() > MAX_DETECTIONS) {
                dts = dts.subList(0, MAX_DETECTIONS);
            }
            double[][] iou = new double[dts.size()][gts.size()];
            for (int d = 0; d < dts.size(); d++) {
                for (int g = 0; g < gts.size(); g++) {
                    iou[d][g] = VocOverlap.iou(dts.get(d), gts.get(g));
                }
            }
            boolean[][] dtMatched = new boolean[dts.size()][thresholds];
            boolean[][] dtIgnored = new boolean[dts.size()][thresholds];
            for (int t = 0; t < thresholds; t++) {
                boolean[] gtTaken = new boolean[gts.size()];
                for (int d = 0; d < dts.size(); d++) {
                    double best = Math.min(IOU_THRESHOLDS[t], 1 - 1e-10);
                    int match = -1;
                    for (int g = 0; g < gts.size(); g++) {
                        if (gtTaken[g]) {
                            continue;
                        }
                        if (match > -1 && !gtIgnored[match] && gtIgnored[g]) {
                            break; // a not-ignored match beats every ignored ground truth
                        }
                        if (iou[d][g] < best) {
                            continue;
                        }
                        best = iou[d][g];
                        match = g;
                    }
                    if (match > -1) {
                        gtTaken[match] = true;
                        dtMatched[d][t] = true;
                        dtIgnored[d][t] = gtIgnored[match];
                    } else {
                        dtIgnored[d][t] = range.excludes(area(dts.get(d)));
                    }
                }
            }
            for (int d = 0; d < dts.size(); d++) {
                scores.add(dts.get(d).score());
                matchedAt.add(dtMatched[d]);
                ignoredAt.add(dtIgnored[d]);
            }
        }
        if (positives == 0) {
            return null;
        }
        Integer[] order = new Integer[scores.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // stable: equal scores keep image order, then their order within the image
        java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores.get(i)));
        double[] ap = new double[thresholds];
        for (int t = 0; t < thresholds; t++) {
            double[] precision = new double[order.length];
            double[] recall = new double[order.length];
            int tp = 0;
            int fp = 0;
            for (int k = 0; k < order.length; k++) {
                int i = order[k];
                if (!ignoredAt.get(i)[t]) {
                    if (matchedAt.get(i)[t]) {
                        tp++;
                    } else {
                        fp++;
                    }
                }
                recall[k] = tp / (double) positives;
                precision[k] = tp / (tp + fp + Math.ulp(1.0));
            }
            for (int k = precision.length - 1; k > 0; k--) {
                precision[k - 1] = Math.max(precision[k - 1], precision[k]);
            }
            double sum = 0;
            int k = 0;
            for (double r : RECALL_THRESHOLDS) {
                while (k < recall.length && recall[k] < r) {
                    k++;
                }
                sum += k < recall.length ? precision[k] : 0;
            }
            ap[t] = sum / RECALL_THRESHOLDS.length;
        }
        return ap;
    }

    private static boolean ignored(GroundTruth g, AreaRange range) {
        return g.difficult() || range.excludes(area(g));
    }

    static double area(GroundTruth g) {
        return (g.x2() - g.x1() + 1) * (g.y2() - g.y1() + 1);
    }

    static double area(ScoredDetection d) {
        return (d.x2() - d.x1() + 1) * (d.y2() - d.y1() + 1);
    }

    private int check(int classId) {
        if (classId >= classes) {
            throw new IllegalArgumentException("class id " + classId + " is out of range: there are " + classes
                    + " classes");
        }
        return classId;
    }

    /** numpy's linspace: start + i * step, the last point exactly {@code stop}. */
    private static double[] linspace(double start, double stop, int n) {
        double step = (stop - start) / (n - 1);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        v[n - 1] = stop;
        return v;
    }
}
