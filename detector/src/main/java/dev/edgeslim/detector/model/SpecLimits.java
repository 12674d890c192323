package dev.edgeslim.detector.model;

import dev.edgeslim.detector.io.LimitProperty;

/**
 * Upper bounds on sizes declared in a cfg, checked before anything is allocated, so a hostile or mistyped cfg
 * (width=1000000, filters=2147483647) is a clear error instead of an OutOfMemoryError or a stall.
 * Each can be raised with a system property, e.g. {@code -Dedgeslim.limit.maxInputSide=8192}.
 */
public final class SpecLimits {
    public static final int MAX_INPUT_SIDE = intProperty("maxInputSide", 4096);
    public static final int MAX_CHANNELS = intProperty("maxChannels", 16384);
    public static final int MAX_KERNEL = intProperty("maxKernel", 31);
    public static final int MAX_STRIDE = intProperty("maxStride", 64);
    public static final int MAX_LAYERS = intProperty("maxLayers", 4096);
    public static final long MAX_PARAMS = LimitProperty.get("maxParams", 1_000_000_000L);
    /** Sum of all layers' output elements for one image (activation memory is about 4x this in bytes). */
    public static final long MAX_ACTIVATIONS = LimitProperty.get("maxActivations", 2_000_000_000L);
    public static final int MAX_CLASSES = intProperty("maxClasses", 100_000);
    public static final int MAX_ANCHORS = intProperty("maxAnchors", 1024);

    private SpecLimits() {
    }

    private static int intProperty(String name, int fallback) {
        return (int) Math.min(Integer.MAX_VALUE, LimitProperty.get(name, fallback));
    }
}
