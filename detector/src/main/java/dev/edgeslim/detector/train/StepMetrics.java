package dev.edgeslim.detector.train;

import java.util.Map;

/**
 * What one optimisation step produced: 0-based iteration, epoch, learning rate, each named loss term
 * (e.g. "box", "obj", "cls", "l1", "attention", "total") and throughput.
 */
public record StepMetrics(long iteration, int epoch, double learningRate, Map<String, Double> losses,
                          double imagesPerSecond) {
    public StepMetrics {
        // in the order given (total first, then each term's parts): Map.copyOf would reorder them differently in
        // every JVM, so two identical runs would write differently ordered metrics.jsonl lines
        losses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(losses));
    }

    public double total() {
        return losses.getOrDefault("total", Double.NaN);
    }
}
