package dev.edgeslim.compressor.blocks;

import dev.edgeslim.compressor.prune.PrunedNetwork;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Removes residual blocks ({@link ResidualBlocks}) from a network: deletes each block's branch and [shortcut],
 * renumbers the remaining layers and their weights, and re-points every [route] {@code layers} and [shortcut]
 * {@code from} that referred to a removed shortcut at that block's input (transitively, for consecutive blocks).
 * Every remaining layer keeps its output shape, which is checked.
 *
 * <p>The reference for exactness is {@link #zeroed}: the same network where each removed block's branch adds 0.
 */
public final class BlockSurgeon {
    private BlockSurgeon() {
    }

    /**
     * The network without {@code blocks}, and where each old layer went.
     *
     * @param newIndex old layer index to new index, -1 for removed layers
     */
    public record Result(PrunedNetwork network, int[] newIndex, List<ResidualBlock> removed) {
    }

    public static Result remove(NetworkSpec spec, WeightStore weights, List<ResidualBlock> blocks) {
        Layout layout = layout(spec, blocks);
        TreeMap<Integer, ConvWeights> convs = new TreeMap<>();
        weights.convs().forEach((l, w) -> {
            if (layout.newIndex[l] >= 0) {
                convs.put(layout.newIndex[l], w);
            }
        });
        WeightStore store = new WeightStore(weights.header(), convs);
        store.checkMatches(layout.spec);
        return new Result(new PrunedNetwork(layout.spec, store), layout.newIndex, layout.removed);
    }

    /** Only the network without {@code blocks}, and where each old layer went (-1: removed). */
    public record Layout(NetworkSpec spec, int[] newIndex, List<ResidualBlock> removed) {
    }

    public static Layout layout(NetworkSpec spec, List<ResidualBlock> blocks) {
        int n = spec.size();
        boolean[] gone = new boolean[n];
        int[] replacement = new int[n];       // old index a reference to this layer now means (old numbering)
        for (int l = 0; l < n; l++) {
            replacement[l] = l;
        }
        List<ResidualBlock> sorted = new ArrayList<>(blocks);
        sorted.sort(java.util.Comparator.comparingInt(ResidualBlock::shortcut));
        for (ResidualBlock b : sorted) {
            if (ResidualBlocks.removableInput(spec, b.shortcut()) != b.input()) {
                throw new IllegalArgumentException(b + " is not a removable residual block of this network");
            }
            for (int l : b.removedLayers()) {
                if (gone[l]) {
                    throw new IllegalArgumentException(b + " overlaps another removed block");
                }
                gone[l] = true;
            }
            replacement[b.shortcut()] = replacement[b.input()];
        }
        int[] newIndex = new int[n];
        int next = 0;
        for (int l = 0; l < n; l++) {
            newIndex[l] = gone[l] ? -1 : next++;
        }
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            if (!gone[l]) {
                layers.add(renumbered(spec.layer(l), l, gone, replacement, newIndex));
            }
        }
        NetworkSpec pruned = new NetworkSpec(spec.net(), layers);
        for (int l = 0; l < n; l++) {
            if (!gone[l] && !pruned.shapeOf(newIndex[l]).equals(spec.shapeOf(l))) {
                throw new IllegalStateException("layer " + l + " changed shape from " + spec.shapeOf(l) + " to "
                        + pruned.shapeOf(newIndex[l]) + " when blocks were removed");
            }
            if (!gone[l] && l > 0 && implicitPrevious(spec.layer(l)) && newIndex[l] > 0
                    && newIndex[replacement[l - 1]] != newIndex[l] - 1) {
                throw new IllegalStateException("layer " + l + " would read another previous layer");
            }
        }
        return new Layout(pruned, newIndex, List.copyOf(sorted));
    }

    /**
     * The reference network for exactness: same layers, but each block's last convolution has γ = 0 and β = 0, so its
     * batch norm outputs exactly 0 whatever its input, and its activation gives act(0) = 0 for the activations
     * residual branches use (linear, leaky, relu, mish, swish), so the shortcut adds exactly 0 to its input.
     *
     * @throws IllegalArgumentException when a branch ends in an activation with act(0) ≠ 0 (logistic)
     */
    public static PrunedNetwork zeroed(NetworkSpec spec, WeightStore weights, List<ResidualBlock> blocks) {
        WeightStore out = weights;
        for (ResidualBlock b : blocks) {
            if (spec.conv(b.lastConv()).activation().apply(0) != 0) {
                throw new IllegalArgumentException("layer " + b.lastConv() + "'s activation is not 0 at 0");
            }
            ConvWeights w = weights.conv(b.lastConv());
            float[] zeros = new float[w.filters()];
            out = out.with(b.lastConv(), new ConvWeights(zeros, zeros.clone(), w.rollingMean(), w.rollingVariance(),
                    w.weights()));
        }
        return new PrunedNetwork(spec, out);
    }

    private static boolean implicitPrevious(Layer layer) {
        return !(layer instanceof RouteLayer);
    }

    private static Layer renumbered(Layer layer, int self, boolean[] gone, int[] replacement, int[] newIndex) {
        if (layer instanceof RouteLayer r) {
            return new RouteLayer(map(r.layers(), self, gone, replacement, newIndex), r.groups(), r.groupId());
        }
        if (layer instanceof ShortcutLayer s) {
            return new ShortcutLayer(map(s.from(), self, gone, replacement, newIndex), s.activation());
        }
        return layer;
    }

    private static List<Integer> map(List<Integer> refs, int self, boolean[] gone, int[] replacement, int[] newIndex) {
        List<Integer> out = new ArrayList<>();
        for (int ref : refs) {
            int target = replacement[ref];
            if (gone[target]) {
                throw new IllegalStateException("layer " + self + " reads removed layer " + ref);
            }
            out.add(newIndex[target]);
        }
        return out;
    }

}
