package dev.edgeslim.compressor.prune;

import java.util.Locale;

/**
 * How a global target (remove a fraction of params or FLOPs) is shared among the groups. Both search one number
 * by bisection; they differ in what that number means for each group.
 */
public enum TargetAllocation {
    /**
     * One common quantile q: every group removes the fraction min(0.999, q · weight) of its own channels, so every
     * group loses about the same share whatever its γ look like.
     */
    QUANTILE,
    /**
     * One |γ| threshold t: each group removes the channels whose |γ| is below t · weight, i.e. the share of its
     * own γ distribution under that level. After sparse training the penalty has driven the unneeded γ of every
     * group toward zero on a common scale, so groups the training made sparse lose many channels and groups it
     * left dense lose few: pruning follows what the training found instead of cutting live channels evenly.
     */
    THRESHOLD;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The allocation named {@code id} ("quantile" or "threshold"), or null. */
    public static TargetAllocation parse(String id) {
        for (TargetAllocation a : values()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        return null;
    }
}
