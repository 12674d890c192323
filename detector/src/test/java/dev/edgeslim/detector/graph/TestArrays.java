package dev.edgeslim.detector.graph;

import java.util.SplittableRandom;

/** Small numeric helpers for graph tests. */
final class TestArrays {
    private TestArrays() {
    }

    static float[] uniform(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextDouble();
        }
        return a;
    }

    /** max_i |a_i − b_i| / max(1, |b_i|). */
    static double maxRelativeError(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double e = Math.abs((double) a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
            if (!(e <= worst)) {
                worst = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
            }
        }
        return worst;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
