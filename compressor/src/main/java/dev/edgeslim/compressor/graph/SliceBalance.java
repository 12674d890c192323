package dev.edgeslim.compressor.graph;

import java.util.List;

/**
 * A grouped route (or grouped convolution) splits a channel space into {@code slices.size()} equal slices; after
 * pruning the space must still split evenly, so every slice must keep the same number of channels, and the kept
 * channels of slice s must be exactly what the pruned split takes as slice s. {@code slices.get(s)} lists the
 * coupled indices (within the owning set) of slice s, in channel order. {@code consumer} is the layer doing the
 * split, {@code source} the layer whose output is split.
 */
public record SliceBalance(int consumer, int source, List<List<Integer>> slices) {
    public SliceBalance {
        slices = slices.stream().map(List::copyOf).toList();
    }

    public int groups() {
        return slices.size();
    }

    /** Kept channels per slice for a keep mask over the owning set. */
    public int[] keptPerSlice(boolean[] keep) {
        int[] counts = new int[slices.size()];
        for (int s = 0; s < slices.size(); s++) {
            for (int idx : slices.get(s)) {
                if (keep[idx]) {
                    counts[s]++;
                }
            }
        }
        return counts;
    }

    /** True when every slice keeps the same number of channels under {@code keep}. */
    public boolean isBalanced(boolean[] keep) {
        int[] counts = keptPerSlice(keep);
        for (int c : counts) {
            if (c != counts[0]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "layer " + consumer + " splits layer " + source + " into " + slices.size() + " equal slices";
    }
}
