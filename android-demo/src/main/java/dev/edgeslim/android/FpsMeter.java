package dev.edgeslim.android;

/**
 * Frames per second of the results the user sees: an exponential moving average of the time between two
 * consecutive results (a new value counts for a fifth), so it settles within a few frames and does not flicker.
 */
final class FpsMeter {
    private long lastNanos = -1;
    private double meanIntervalNanos = -1;

    /** A result was shown at {@code nanos} (System.nanoTime()). */
    void tick(long nanos) {
        if (lastNanos >= 0) {
            long interval = Math.max(1, nanos - lastNanos);
            meanIntervalNanos = meanIntervalNanos < 0 ? interval : 0.8 * meanIntervalNanos + 0.2 * interval;
        }
        lastNanos = nanos;
    }

    /** 0 until two results have been seen. */
    double fps() {
        return meanIntervalNanos <= 0 ? 0 : 1e9 / meanIntervalNanos;
    }

    void reset() {
        lastNanos = -1;
        meanIntervalNanos = -1;
    }
}
