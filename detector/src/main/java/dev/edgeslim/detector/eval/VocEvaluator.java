package dev.edgeslim.detector.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PASCAL VOC detection scoring, following the official devkit ({@code VOCevaldet.m}) rule by rule, per class:
 * <ol>
 *   <li>detections are sorted by score, descending (ties keep their input order: the sort is stable);</li>
 *   <li>each detection is compared with every ground truth of its class in its image, difficult or not, matched
 *       or not, and takes the one with the highest {@link VocOverlap VOC IoU};</li>
 *   <li>if that IoU is below the threshold (default 0.5; IoU exactly 0.5 matches, as the MATLAB devkit's
 *       {@code >=}) the detection is a false positive;</li>
 *   <li>otherwise, if that ground truth is difficult the detection is ignored (neither TP nor FP); if it is
 *       already matched the detection is a false positive (duplicate); else it is a true positive and marks the
 *       ground truth matched.</li>
 * </ol>
 * Note the devkit does not fall back to the second-best ground truth when the best one is taken: a detection
 * whose best overlap is an already-matched object is a duplicate even if it also overlaps another free object
 * by more than the threshold. We keep that rule so numbers match the devkit.
 * <p>
 * Recall = TP / (non-difficult ground truths), precision = TP / (TP + FP), accumulated down the sorted list.
 * Ignored detections add no point to the curve; the devkit keeps them as repeated points, which changes neither
 * AP definition. The result also carries the COCO-style numbers of the same detections ({@link CocoEvaluator}).
 */
public final class VocEvaluator {
    public static final double DEFAULT_IOU_THRESHOLD = 0.5;

    private final List<String> classNames;
    private final double iouThreshold;

    public VocEvaluator(List<String> classNames) {
        this(classNames, DEFAULT_IOU_THRESHOLD);
    }

    public VocEvaluator(List<String> classNames, double iouThreshold) {
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("at least one class is needed");
        }
        if (!(iouThreshold > 0 && iouThreshold <= 1)) {
            throw new IllegalArgumentException("IoU threshold must be in (0, 1], got " + iouThreshold);
        }
        this.classNames = List.copyOf(classNames);
        this.iouThreshold = iouThreshold;
    }

    public List<String> classNames() {
        return classNames;
    }

    public double iouThreshold() {
        return iouThreshold;
    }

    /** Scores {@code detections} against {@code groundTruths}; class ids must be below the number of classes. */
    public EvalResult evaluate(Collection<GroundTruth> groundTruths, Collection<ScoredDetection> detections) {
        int numClasses = classNames.size();
        List<List<GroundTruth>> truthsByClass = new ArrayList<>();
        List<List<ScoredDetection>> detectionsByClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            truthsByClass.add(new ArrayList<>());
            detectionsByClass.add(new ArrayList<>());
        }
        for (GroundTruth g : groundTruths) {
            truthsByClass.get(checkClass(g.classId())).add(g);
        }
        for (ScoredDetection d : detections) {
            detectionsByClass.get(checkClass(d.classId())).add(d);
        }
        List<ClassEvaluation> perClass = new ArrayList<>();
        double sum11 = 0;
        double sumAll = 0;
        int scored = 0;
        for (int c = 0; c < numClasses; c++) {
            ClassEvaluation e = evaluateClass(c, truthsByClass.get(c), detectionsByClass.get(c));
            perClass.add(e);
            if (e.scored()) {
                sum11 += e.ap11Point();
                sumAll += e.apAllPoint();
                scored++;
            }
        }
        double map11 = scored == 0 ? Double.NaN : sum11 / scored;
        double mapAll = scored == 0 ? Double.NaN : sumAll / scored;
        // the COCO-style numbers beside VOC's: what most papers since Scaled-YOLOv4 report
        CocoResult coco = new CocoEvaluator(numClasses).evaluate(groundTruths, detections);
        return new EvalResult(iouThreshold, perClass, map11, mapAll, coco);
    }

    private ClassEvaluation evaluateClass(int classId, List<GroundTruth> truths, List<ScoredDetection> detections) {
        Map<String, List<GroundTruth>> truthsByImage = new HashMap<>();
        Set<GroundTruth> matched = Collections.newSetFromMap(new IdentityHashMap<>());
        int positives = 0;
        int difficult = 0;
        for (GroundTruth g : truths) {
            truthsByImage.computeIfAbsent(g.imageId(), k -> new ArrayList<>()).add(g);
            if (g.difficult()) {
                difficult++;
            } else {
                positives++;
            }
        }
        List<ScoredDetection> sorted = new ArrayList<>(detections);
        sorted.sort(Comparator.comparingDouble(ScoredDetection::score).reversed());

        List<Double> precision = new ArrayList<>();
        List<Double> recall = new ArrayList<>();
        int tp = 0;
        int fp = 0;
        int duplicates = 0;
        int ignored = 0;
        for (ScoredDetection d : sorted) {
            GroundTruth best = null;
            double bestIou = Double.NEGATIVE_INFINITY;
            for (GroundTruth g : truthsByImage.getOrDefault(d.imageId(), List.of())) {
                double iou = VocOverlap.iou(d, g);
                if (iou > bestIou) {
                    bestIou = iou;
                    best = g;
                }
            }
            if (best != null && bestIou >= iouThreshold) {
                if (best.difficult()) {
                    ignored++;
                    continue;
                }
                if (matched.contains(best)) {
                    fp++;
                    duplicates++;
                } else {
                    matched.add(best);
                    tp++;
                }
            } else {
                fp++;
            }
            if (positives > 0) {
                precision.add(tp / (double) (tp + fp));
                recall.add(tp / (double) positives);
            }
        }
        double[] prec = toArray(precision);
        double[] rec = toArray(recall);
        double ap11 = positives == 0 ? Double.NaN : AveragePrecision.elevenPoint(rec, prec);
        double apAll = positives == 0 ? Double.NaN : AveragePrecision.allPoint(rec, prec);
        return new ClassEvaluation(classId, classNames.get(classId), positives, difficult, detections.size(),
                tp, fp, duplicates, ignored, prec, rec, ap11, apAll);
    }

    private int checkClass(int classId) {
        if (classId >= classNames.size()) {
            throw new IllegalArgumentException("class id " + classId + " is out of range: there are "
                    + classNames.size() + " classes");
        }
        return classId;
    }

    private static double[] toArray(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
