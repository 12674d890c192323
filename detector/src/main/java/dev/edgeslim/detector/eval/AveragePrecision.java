package dev.edgeslim.detector.eval;

/**
 * The two VOC definitions of average precision over one class's precision/recall curve (points in descending
 * score order).
 */
public final class AveragePrecision {
    private AveragePrecision() {
    }

    /**
     * VOC2007: mean over the 11 recall thresholds t = 0, 0.1, ..., 1 of the best precision at recall >= t
     * (0 when recall never reaches t). Thresholds are computed as k/10, the intended values; the devkits build
     * them by accumulating 0.1 steps, which makes 0.3, 0.6 and 0.7 one ulp larger and can drop a point whose
     * recall is exactly 0.3 (e.g. 3 of 10 objects).
     */
    public static double elevenPoint(double[] recall, double[] precision) {
        checkSameLength(recall, precision);
        double sum = 0;
        for (int k = 0; k <= 10; k++) {
            double t = k / 10.0;
            double best = 0;
            for (int i = 0; i < recall.length; i++) {
                if (recall[i] >= t && precision[i] > best) {
                    best = precision[i];
                }
            }
            sum += best;
        }
        return sum / 11.0;
    }

    /**
     * VOC2010 and later: area under the precision envelope (precision made monotonically non-increasing in
     * recall by taking, at each point, the maximum precision at any higher recall), with the curve anchored at
     * recall 0 and closed at recall 1 with precision 0, exactly as the devkit's {@code VOCap}.
     */
    public static double allPoint(double[] recall, double[] precision) {
        checkSameLength(recall, precision);
        int n = recall.length;
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        System.arraycopy(recall, 0, mrec, 1, n);
        System.arraycopy(precision, 0, mpre, 1, n);
        mrec[n + 1] = 1;
        for (int i = n; i >= 0; i--) {
            mpre[i] = Math.max(mpre[i], mpre[i + 1]);
        }
        double area = 0;
        for (int i = 1; i < n + 2; i++) {
            if (mrec[i] != mrec[i - 1]) {
                area += (mrec[i] - mrec[i - 1]) * mpre[i];
            }
        }
        return area;
    }

    private static void checkSameLength(double[] recall, double[] precision) {
        if (recall.length != precision.length) {
            throw new IllegalArgumentException("recall and precision differ in length: " + recall.length
                    + " vs " + precision.length);
        }
    }
}
