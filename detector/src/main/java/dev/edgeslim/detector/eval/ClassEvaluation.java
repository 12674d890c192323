package dev.edgeslim.detector.eval;

/**
 * Scores of one class.
 *
 * @param positives      non-difficult ground truths (the recall denominator)
 * @param difficult      difficult ground truths (not counted as positives)
 * @param detections     all detections of this class
 * @param truePositives  detections matched to a not-yet-matched non-difficult ground truth
 * @param falsePositives detections below the IoU threshold plus duplicates
 * @param duplicates     the part of {@code falsePositives} that hit an already-matched ground truth
 * @param ignored        detections whose best match was a difficult ground truth (neither TP nor FP)
 * @param precision      precision after each non-ignored detection, in descending score order; empty when there are no
 *                       positives
 * @param recall         recall after each non-ignored detection (same length as {@code precision}); empty
 *                       when there are no positives
 * @param ap11Point      VOC2007 11-point interpolated AP; NaN when {@code positives == 0}
 * @param apAllPoint     VOC2010+ all-point AP (area under the precision envelope); NaN when {@code positives == 0}
 */
public record ClassEvaluation(int classId, String className, int positives, int difficult, int detections,
                              int truePositives, int falsePositives, int duplicates, int ignored,
                              double[] precision, double[] recall, double ap11Point, double apAllPoint) {

    public ClassEvaluation {
        precision = precision.clone();
        recall = recall.clone();
    }

    /** Whether this class has positives and therefore an AP that enters the mean. */
    public boolean scored() {
        return positives > 0;
    }

    @Override
    public double[] precision() {
        return precision.clone();
    }

    @Override
    public double[] recall() {
        return recall.clone();
    }
}
