package dev.edgeslim.detector.train;

import java.util.Map;

/**
 * What one optimisation step produced: 0-based iteration, epoch, learning rate, each named loss term
 * (e.g. "box", "obj", "cls", "l1", "attention", "total") and throughput.
 */
public record StepMetrics(long iteration, int epoch, double learningRate, Map<String, Double> losses,
                          double imagesPerSecond) {
    public StepMetrics {
        losses = Map.copyOf(losses);
    }

    public double total() {
        return losses.getOrDefault("total", Double.NaN);
    }
}
