package dev.edgeslim.detector.model;

import java.util.List;
import java.util.Map;

/**
 * darknet [net]: input geometry and the training hyper-parameters EdgeSlim uses; other recognised options
 * (augmentation flags and the like) are kept verbatim in {@code extras} so a cfg round-trips.
 */
public record NetOptions(int width, int height, int channels, int batch, int subdivisions, double momentum,
                         double decay, double learningRate, int burnIn, int maxBatches, String policy,
                         List<Integer> steps, List<Double> scales, Map<String, String> extras) {

    public NetOptions {
        steps = List.copyOf(steps);
        scales = List.copyOf(scales);
        extras = Map.copyOf(extras);
    }

    /** Defaults for a network built in code (EdgeSlim's training defaults, not darknet's). */
    public static NetOptions defaults(int width, int height) {
        return new NetOptions(width, height, 3, 64, 1, 0.949, 0.0005, 0.001, 1000, 500500, "steps",
                List.of(400000, 450000), List.of(0.1, 0.1), Map.of());
    }

    public NetOptions withSize(int newWidth, int newHeight) {
        return new NetOptions(newWidth, newHeight, channels, batch, subdivisions, momentum, decay, learningRate,
                burnIn, maxBatches, policy, steps, scales, extras);
    }

    public Shape inputShape() {
        return new Shape(height, width, channels);
    }
}
