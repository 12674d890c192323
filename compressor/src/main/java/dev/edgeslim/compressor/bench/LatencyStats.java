package dev.edgeslim.compressor.bench;

import java.util.Arrays;

/**
 * Summary of one runtime's forward times in milliseconds. The median is the headline number (robust to the
 * machine's throttling spikes); p90 is the nearest-rank 90th percentile.
 */
public record LatencyStats(double medianMs, double p90Ms, double meanMs, double minMs, double[] samplesMs) {

    public static LatencyStats of(double[] samplesMs) {
        if (samplesMs.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samplesMs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double p90 = sorted[Math.max(0, (int) Math.ceil(0.9 * n) - 1)];
        double mean = Arrays.stream(sorted).average().orElseThrow();
        return new LatencyStats(median, p90, mean, sorted[0], samplesMs.clone());
    }
}
