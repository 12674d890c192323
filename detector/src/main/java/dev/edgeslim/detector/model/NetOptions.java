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

    /** Defaults for a network built in code (EdgeSlim's training defaults and input transform, not darknet's). */
    public static NetOptions defaults(int width, int height) {
        return new NetOptions(width, height, 3, 64, 1, 0.949, 0.0005, 0.001, 1000, 500500, "steps",
                List.of(400000, 450000), List.of(0.1, 0.1), Map.of(ResizeMode.CFG_KEY, ResizeMode.NEW_MODELS.cfgValue()));
    }

    public NetOptions withSize(int newWidth, int newHeight) {
        return new NetOptions(newWidth, newHeight, channels, batch, subdivisions, momentum, decay, learningRate,
                burnIn, maxBatches, policy, steps, scales, extras);
    }

    /** How images are fitted into the input ([net] {@code letter_box}; darknet's default is to stretch). */
    public ResizeMode resizeMode() {
        return ResizeMode.fromNetExtras(extras);
    }

    /** The same options with {@code letter_box} set to {@code mode}, so the transform travels with the cfg. */
    public NetOptions withResizeMode(ResizeMode mode) {
        Map<String, String> next = new java.util.LinkedHashMap<>(extras);
        next.put(ResizeMode.CFG_KEY, mode.cfgValue());
        return new NetOptions(width, height, channels, batch, subdivisions, momentum, decay, learningRate, burnIn,
                maxBatches, policy, steps, scales, next);
    }

    public Shape inputShape() {
        return new Shape(height, width, channels);
    }
}
