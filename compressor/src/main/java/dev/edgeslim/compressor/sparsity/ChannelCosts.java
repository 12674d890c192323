package dev.edgeslim.compressor.sparsity;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.compressor.prune.ModelSurgeon;
import dev.edgeslim.compressor.prune.PruningPlan;
import dev.edgeslim.compressor.prune.TargetMetric;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one channel of each prunable convolution costs: the FLOPs (or parameters) the network loses per channel
 * when the smallest removal its coupled set allows is made (one channel, or one per slice where a grouped route
 * splits the set), counting the producing convolutions' outputs and every consumer's input at their
 * resolutions, measured on the pruned spec itself so that routes, shortcuts and groups count exactly as surgery
 * would leave them.
 */
public final class ChannelCosts {
    private ChannelCosts() {
    }

    /** FLOPs saved by removing one channel of the coupled set of each prunable convolution, by layer index. */
    public static Map<Integer, Double> flopsPerChannel(ChannelGraph graph) {
        return perChannel(graph, TargetMetric.FLOPS);
    }

    /** Parameters saved by removing one channel of the coupled set of each prunable convolution, by layer index. */
    public static Map<Integer, Double> paramsPerChannel(ChannelGraph graph) {
        return perChannel(graph, TargetMetric.PARAMS);
    }

    private static Map<Integer, Double> perChannel(ChannelGraph graph, TargetMetric metric) {
        double total = metric.of(graph.spec());
        Map<Integer, Double> costs = new TreeMap<>();
        for (CoupledSet set : graph.sets()) {
            if (!set.prunable() || set.size() < 2) {
                continue;
            }
            List<boolean[]> masks = new ArrayList<>();
            for (CoupledSet s : graph.sets()) {
                boolean[] keep = new boolean[s.size()];
                java.util.Arrays.fill(keep, true);
                masks.add(keep);
            }
            boolean[] keep = masks.get(set.id());
            int removed = removeSmallestBalancedSubset(set, keep);
            if (removed == 0) {
                continue;
            }
            double saved = total - metric.of(ModelSurgeon.prunedSpec(graph, PruningPlan.fromMasks(graph, masks)));
            for (int layer : set.convLayers()) {
                costs.put(layer, saved / removed);
            }
        }
        return costs;
    }

    /**
     * Clears the first channel of {@code set} in {@code keep}, then as many more as its slice balances need (a set
     * split by a grouped route loses one channel per slice together), and returns how many were cleared; 0 when
     * no balanced removal leaves a channel in every slice.
     */
    private static int removeSmallestBalancedSubset(CoupledSet set, boolean[] keep) {
        keep[0] = false;
        boolean changed = true;
        for (int round = 0; changed && round < keep.length; round++) {
            changed = false;
            for (var balance : set.balances()) {
                int[] counts = balance.keptPerSlice(keep);
                int min = java.util.Arrays.stream(counts).min().orElse(0);
                if (min == 0) {
                    java.util.Arrays.fill(keep, true);
                    return 0;
                }
                for (int s = 0; s < counts.length; s++) {
                    for (int idx : balance.slices().get(s)) {
                        if (counts[s] <= min) {
                            break;
                        }
                        if (keep[idx]) {
                            keep[idx] = false;
                            counts[s]--;
                            changed = true;
                        }
                    }
                }
            }
        }
        int removed = 0;
        for (boolean k : keep) {
            removed += k ? 0 : 1;
        }
        return removed;
    }

    /**
     * Penalty weights for {@link SparsityWeighting#FLOPS}: √(cost / mean cost), the mean taken over every prunable
     * channel, then scaled so that the channels' mean weight is 1 (the automatic strength keeps its meaning). The
     * square root tempers the spread: on a YOLOv4 at 160 px a first-stage channel costs about 30 times a channel
     * after the SPP, and a penalty that much stronger zeroes the few early channels the detector cannot do
     * without.
     */
    public static Map<Integer, Double> flopsWeights(ChannelGraph graph) {
        return weights(graph, flopsPerChannel(graph));
    }

    /** Penalty weights for {@link SparsityWeighting#PARAMS}: as {@link #flopsWeights}, from parameter counts. */
    public static Map<Integer, Double> paramsWeights(ChannelGraph graph) {
        return weights(graph, paramsPerChannel(graph));
    }

    /** The weighting of {@code w} (an empty map, every weight 1, for uniform). */
    public static Map<Integer, Double> weights(ChannelGraph graph, SparsityWeighting w) {
        return switch (w) {
            case UNIFORM -> Map.of();
            case FLOPS -> flopsWeights(graph);
            case PARAMS -> paramsWeights(graph);
        };
    }

    private static Map<Integer, Double> weights(ChannelGraph graph, Map<Integer, Double> costs) {
        double channels = 0;
        double sum = 0;
        for (var e : costs.entrySet()) {
            int n = graph.spec().conv(e.getKey()).filters();
            channels += n;
            sum += n * e.getValue();
        }
        Map<Integer, Double> weights = new TreeMap<>();
        if (channels == 0 || sum <= 0) {
            return weights;
        }
        double mean = sum / channels;
        double weightedSum = 0;
        for (var e : costs.entrySet()) {
            double w = Math.sqrt(Math.max(0, e.getValue()) / mean);
            weights.put(e.getKey(), w);
            weightedSum += graph.spec().conv(e.getKey()).filters() * w;
        }
        double norm = channels / weightedSum;
        weights.replaceAll((layer, w) -> w * norm);
        return weights;
    }
}
