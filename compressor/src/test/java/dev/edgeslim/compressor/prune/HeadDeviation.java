package dev.edgeslim.compressor.prune;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Compares per-head outputs of two runtimes or two networks. */
final class HeadDeviation {
    private HeadDeviation() {
    }

    /** {max |a-b| / max(1,|a|), relative RMS deviation, RMS of a} over all heads. */
    static double[] of(float[][] a, float[][] b) {
        assertEquals(a.length, b.length);
        double worst = 0;
        double sq = 0;
        double ref = 0;
        long n = 0;
        for (int h = 0; h < a.length; h++) {
            assertEquals(a[h].length, b[h].length);
            for (int i = 0; i < a[h].length; i++) {
                double d = Math.abs(a[h][i] - b[h][i]);
                worst = Math.max(worst, d / Math.max(1, Math.abs(a[h][i])));
                sq += d * d;
                ref += (double) a[h][i] * a[h][i];
                n++;
            }
        }
        return new double[]{worst, Math.sqrt(sq / ref), Math.sqrt(ref / n)};
    }

    /** A random NHWC image batch of one in [0,1). */
    static float[] randomNhwc(dev.edgeslim.detector.model.NetworkSpec spec, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[(int) spec.inputShape().elements()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        return x;
    }
}
