package dev.edgeslim.compressor.sparsity;

import java.util.Locale;

/** How sparse training's L1 penalty is shared among the prunable convolutions. */
public enum SparsityWeighting {
    /** The same strength on every γ (network slimming): the penalty finds the channels the loss needs least. */
    UNIFORM,
    /**
     * Each convolution's strength scaled by what one of its channels costs in FLOPs ({@link ChannelCosts}): the
     * penalty leans on the channels whose removal saves compute, so that a FLOPs target is met by removing zeros
     * rather than by cutting live channels of the costly high-resolution layers.
     */
    FLOPS,
    /**
     * Each convolution's strength scaled by the parameters one of its channels holds: the penalty leans on the
     * wide deep layers, so that a parameter target is met there, where channels cost little compute and, after
     * the SPP, little accuracy.
     */
    PARAMS;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The weighting named {@code id} ("uniform", "flops" or "params"), or null. */
    public static SparsityWeighting parse(String id) {
        for (SparsityWeighting w : values()) {
            if (w.id().equals(id)) {
                return w;
            }
        }
        return null;
    }
}
