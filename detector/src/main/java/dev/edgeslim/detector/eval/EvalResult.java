package dev.edgeslim.detector.eval;

import java.util.List;

/**
 * Result of a VOC evaluation. The means are over classes with at least one non-difficult ground truth
 * ({@link ClassEvaluation#scored()}); as in the devkit, classes without positives have no AP (NaN) and are left
 * out. With no scored class at all the means are NaN.
 *
 * @param map11Point  mean VOC2007 11-point AP
 * @param mapAllPoint mean VOC2010+ all-point AP
 * @param coco        the COCO-style numbers of the same detections (mAP@[.5:.95], AP50, AP75, AP S/M/L); null when
 *                    not computed
 */
public record EvalResult(double iouThreshold, List<ClassEvaluation> classes, double map11Point, double mapAllPoint,
                         CocoResult coco) {

    public EvalResult {
        classes = List.copyOf(classes);
    }

    public EvalResult(double iouThreshold, List<ClassEvaluation> classes, double map11Point, double mapAllPoint) {
        this(iouThreshold, classes, map11Point, mapAllPoint, null);
    }

    /** COCO's mAP@[.5:.95], NaN when not computed. */
    public double mapCoco() {
        return coco == null ? Double.NaN : coco.map();
    }

    public int scoredClasses() {
        return (int) classes.stream().filter(ClassEvaluation::scored).count();
    }

    public int positives() {
        return classes.stream().mapToInt(ClassEvaluation::positives).sum();
    }

    public int detections() {
        return classes.stream().mapToInt(ClassEvaluation::detections).sum();
    }

    public int truePositives() {
        return classes.stream().mapToInt(ClassEvaluation::truePositives).sum();
    }

    public int falsePositives() {
        return classes.stream().mapToInt(ClassEvaluation::falsePositives).sum();
    }

    public ClassEvaluation forClass(int classId) {
        return classes.get(classId);
    }
}
