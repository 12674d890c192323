package dev.edgeslim.compressor.export.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Error metrics between an exported model's head outputs and a reference's. */
public final class OutputErrors {
    private OutputErrors() {
    }

    /** max over elements of |a − b| / max(1, |b|): relative for large values, absolute for small ones. */
    public static double maxRelative(float[] actual, float[] reference) {
        assertEquals(reference.length, actual.length, "output length");
        double worst = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = Math.abs(actual[i] - reference[i]) / Math.max(1, Math.abs(reference[i]));
            if (!(d <= worst)) {
                worst = d; // NaN propagates as the worst
            }
        }
        return worst;
    }

    public static double maxRelative(float[][] actual, float[][] reference) {
        double worst = 0;
        for (int k = 0; k < reference.length; k++) {
            worst = Math.max(worst, maxRelative(actual[k], reference[k]));
        }
        return worst;
    }

    /** Mean |a − b| divided by the reference's value range (max − min): quantisation error in "range units". */
    static double meanAbsOverRange(float[] actual, float[] reference) {
        assertEquals(reference.length, actual.length, "output length");
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (int i = 0; i < reference.length; i++) {
            min = Math.min(min, reference[i]);
            max = Math.max(max, reference[i]);
            sum += Math.abs(actual[i] - reference[i]);
        }
        return sum / reference.length / (max - min);
    }

    /** Max |a − b| divided by the reference's value range. */
    static double maxAbsOverRange(float[] actual, float[] reference) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double worst = 0;
        for (int i = 0; i < reference.length; i++) {
            min = Math.min(min, reference[i]);
            max = Math.max(max, reference[i]);
            worst = Math.max(worst, Math.abs(actual[i] - reference[i]));
        }
        return worst / (max - min);
    }
}
