package dev.edgeslim.compressor.prune;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledChannel;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies a {@link PruningPlan} to a network: removes the planned output channels from every convolution's
 * kernel and BN parameters (γ, β, mean, variance) and the matching input channels from every consumer, through
 * routes (concat offsets follow from the new filter counts), grouped routes (slice balance is checked by the
 * plan), shortcuts (coupled channels go from all inputs at once) and depthwise convolutions (a filter goes with
 * its input channel, and {@code groups} follows the new filter count).
 *
 * <h2>Bias folding</h2>
 * The reference is the <em>masked</em> network ({@link #masked}): same shape, γ = 0 for removed channels, β
 * kept. There a removed channel j of a BN convolution outputs the constant c_j = act(β_j) everywhere. Removing it
 * would silently drop that constant, so it is folded into the consumers: for a consumer convolution with kernel
 * W, the removed inputs contributed {@code offset[o] = Σ_j c_j · Σ_{kh,kw} W[o, j, kh, kw]} to its pre-BN output;
 * a BN consumer gets {@code rolling_mean[o] -= offset[o]}, a consumer without BN gets {@code bias[o] += offset[o]}.
 * Constants travel like channels: unchanged through [maxpool] (padding never wins the max) and [route],
 * multiplied by {@code scale} through [upsample], and through a [shortcut] — where a coupled channel is removed
 * from all inputs at once — as {@code act(Σ inputs' constants)} (a linear shortcut just sums).
 *
 * <p><b>Exactness caveat.</b> A zero-padded consumer (e.g. size 3, pad 1) sees the padded zeros, not c_j, at
 * the image border, while the fold assumes c_j under every kernel tap. So the pruned network equals the masked
 * one exactly for 1x1 (unpadded) consumers and pass-through layers, and exactly in the interior but not at the
 * border rows/columns for padded consumers whenever c_j ≠ 0. Sparse training drives β of pruned channels
 * toward values where this is small; tests measure it.
 */
public final class ModelSurgeon {
    private ModelSurgeon() {
    }

    /** The pruned network; throws {@link IllegalArgumentException} when the plan does not fit or breaks a constraint. */
    public static PrunedNetwork prune(NetworkSpec spec, WeightStore weights, PruningPlan plan) {
        return prune(ChannelGraph.of(spec), weights, plan);
    }

    public static PrunedNetwork prune(ChannelGraph graph, WeightStore weights, PruningPlan plan) {
        NetworkSpec spec = graph.spec();
        plan.checkAgainst(graph);
        weights.checkMatches(spec);
        boolean[][] keep = masks(plan);
        int n = spec.size();
        double[][] constants = constants(graph, weights, keep);
        Map<Integer, ConvLayer> newLayers = new HashMap<>();
        TreeMap<Integer, ConvWeights> newWeights = new TreeMap<>();
        for (int l : spec.convLayers()) {
            ConvLayer conv = spec.conv(l);
            int in = spec.inputsOf(l).get(0);
            int[] outKept = kept(graph, keep, l);
            int[] inKept = kept(graph, keep, in);
            int inChannels = graph.channels(in);
            ConvWeights w = weights.conv(l);
            boolean depthwise = conv.depthwise(inChannels);
            if (depthwise && !java.util.Arrays.equals(outKept, inKept)) {
                throw new IllegalStateException("depthwise convolution " + l + " keeps other output than input "
                        + "channels; the channel graph couples them");
            }
            if (conv.groups() > 1 && !depthwise && (outKept.length != conv.filters() || inKept.length != inChannels)) {
                throw new IllegalArgumentException("plan removes channels around grouped convolution " + l
                        + ", which is not supported");
            }
            int k2 = conv.size() * conv.size();
            int perFilterOld = inChannels / conv.groups() * k2;
            // a grouped (or depthwise) filter reads its own group's channels; a removed input of a depthwise
            // convolution only ever fed the output removed with it, so nothing is folded there
            int[] inUsed = conv.groups() > 1 ? identity(inChannels / conv.groups()) : inKept;
            int perFilterNew = inUsed.length * k2;
            float[] kernel = new float[outKept.length * perFilterNew];
            double[] offset = new double[outKept.length];
            boolean[] inRemoved = removed(graph, keep, in);
            for (int fo = 0; fo < outKept.length; fo++) {
                int o = outKept[fo];
                for (int ji = 0; ji < inUsed.length; ji++) {
                    System.arraycopy(w.weights(), o * perFilterOld + inUsed[ji] * k2, kernel, fo * perFilterNew + ji * k2, k2);
                }
                if (conv.groups() == 1) {
                    for (int j = 0; j < inChannels; j++) {
                        if (inRemoved[j] && constants[index(in)][j] != 0) {
                            double sum = 0;
                            for (int t = 0; t < k2; t++) {
                                sum += w.weights()[o * perFilterOld + j * k2 + t];
                            }
                            offset[fo] += constants[index(in)][j] * sum;
                        }
                    }
                }
            }
            float[] biases = pick(w.biases(), outKept);
            ConvWeights nw;
            if (w.batchNormalized()) {
                float[] mean = pick(w.rollingMean(), outKept);
                for (int fo = 0; fo < outKept.length; fo++) {
                    mean[fo] = (float) (mean[fo] - offset[fo]);
                }
                nw = new ConvWeights(biases, pick(w.scales(), outKept), mean, pick(w.rollingVariance(), outKept), kernel);
            } else {
                for (int fo = 0; fo < outKept.length; fo++) {
                    biases[fo] = (float) (biases[fo] + offset[fo]);
                }
                nw = new ConvWeights(biases, null, null, null, kernel);
            }
            newWeights.put(l, nw);
            if (outKept.length != conv.filters()) {
                newLayers.put(l, resized(conv, outKept.length, depthwise));
            }
        }
        NetworkSpec pruned = spec.withLayers(newLayers);
        for (int l = 0; l < n; l++) {
            int expected = kept(graph, keep, l).length;
            if (pruned.shapeOf(l).channels() != expected) {
                throw new IllegalStateException("pruned layer " + l + " has " + pruned.shapeOf(l).channels()
                        + " channels but the plan keeps " + expected);
            }
        }
        WeightStore store = new WeightStore(weights.header(), newWeights);
        store.checkMatches(pruned);
        return new PrunedNetwork(pruned, store);
    }

    /** Only the pruned shapes (filters per convolution), without touching weights; for planning and search. */
    public static NetworkSpec prunedSpec(ChannelGraph graph, PruningPlan plan) {
        plan.checkAgainst(graph);
        boolean[][] keep = masks(plan);
        Map<Integer, ConvLayer> newLayers = new HashMap<>();
        for (int l : graph.spec().convLayers()) {
            int k = kept(graph, keep, l).length;
            ConvLayer conv = graph.spec().conv(l);
            if (k != conv.filters()) {
                newLayers.put(l, resized(conv, k, conv.depthwise(graph.channels(graph.spec().inputsOf(l).get(0)))));
            }
        }
        return graph.spec().withLayers(newLayers);
    }

    /** {@code conv} with {@code filters} filters; a depthwise convolution stays depthwise (one group per filter). */
    private static ConvLayer resized(ConvLayer conv, int filters, boolean depthwise) {
        ConvLayer out = conv.withFilters(filters);
        return depthwise ? out.withGroups(filters) : out;
    }

    /**
     * The reference for exactness: the same network with γ = 0 for every removed channel of every member of
     * every set (β and everything else unchanged), so each removed channel outputs act(β).
     */
    public static PrunedNetwork masked(NetworkSpec spec, WeightStore weights, PruningPlan plan) {
        ChannelGraph graph = ChannelGraph.of(spec);
        plan.checkAgainst(graph);
        boolean[][] keep = masks(plan);
        WeightStore out = weights;
        for (CoupledSet set : graph.sets()) {
            if (plan.set(set.id()).keepsAll()) {
                continue;
            }
            for (int l : set.convLayers()) {
                ConvWeights w = weights.conv(l);
                float[] gamma = w.scales().clone();
                for (int c = 0; c < gamma.length; c++) {
                    CoupledChannel cc = graph.channel(l, c);
                    if (!keep[cc.set()][cc.index()]) {
                        gamma[c] = 0f;
                    }
                }
                // the other arrays are never modified, so the masked store shares them
                out = out.with(l, new ConvWeights(w.biases(), gamma, w.rollingMean(), w.rollingVariance(), w.weights()));
            }
        }
        return new PrunedNetwork(spec, out);
    }

    /**
     * For every layer output channel that the plan removes, the constant the masked network produces there
     * (indexed [layer + 1][channel], row 0 is the image); 0 for kept channels.
     */
    static double[][] constants(ChannelGraph graph, WeightStore weights, boolean[][] keep) {
        NetworkSpec spec = graph.spec();
        int n = spec.size();
        double[][] constant = new double[n + 1][];
        constant[0] = new double[graph.channels(NetworkSpec.IMAGE)];
        for (int l = 0; l < n; l++) {
            Layer layer = spec.layer(l);
            List<Integer> ins = spec.inputsOf(l);
            boolean[] removed = removed(graph, keep, l);
            double[] c = new double[removed.length];
            if (layer instanceof ConvLayer conv) {
                for (int j = 0; j < c.length; j++) {
                    if (removed[j]) {
                        // γ = 0 in the masked network, so BN outputs exactly β whatever the input
                        c[j] = conv.activation().apply(weights.conv(l).biases()[j]);
                    }
                }
            } else if (layer instanceof RouteLayer route) {
                List<Shape> shapes = spec.inputShapesOf(l);
                List<Integer> offsets = route.outputOffsets(shapes);
                for (int k = 0; k < ins.size(); k++) {
                    int start = route.sliceStart(shapes.get(k));
                    int count = shapes.get(k).channels() / route.groups();
                    System.arraycopy(constant[index(ins.get(k))], start, c, offsets.get(k), count);
                }
            } else if (layer instanceof ShortcutLayer shortcut) {
                for (int j = 0; j < c.length; j++) {
                    if (removed[j]) {
                        double sum = 0;
                        for (int in : ins) {
                            sum += constant[index(in)][j];
                        }
                        c[j] = shortcut.activation().apply(sum);
                    }
                }
            } else if (layer instanceof UpsampleLayer up) {
                double[] src = constant[index(ins.get(0))];
                for (int j = 0; j < c.length; j++) {
                    c[j] = src[j] * up.scale();
                }
            } else if (layer instanceof MaxPoolLayer || layer instanceof YoloLayer
                    || layer instanceof dev.edgeslim.detector.model.DropoutLayer) {
                System.arraycopy(constant[index(ins.get(0))], 0, c, 0, c.length);
            }
            for (int j = 0; j < c.length; j++) {
                if (!removed[j]) {
                    c[j] = 0;
                }
            }
            constant[index(l)] = c;
        }
        return constant;
    }

    private static int index(int layer) {
        return layer + 1; // row 0 is the image
    }

    static boolean[][] masks(PruningPlan plan) {
        boolean[][] keep = new boolean[plan.sets().size()][];
        for (PruningPlan.SetKeep s : plan.sets()) {
            keep[s.set()] = s.mask();
        }
        return keep;
    }

    /** Kept output channels of {@code layer} (ascending), {@code IMAGE} allowed. */
    static int[] kept(ChannelGraph graph, boolean[][] keep, int layer) {
        boolean[] removed = removed(graph, keep, layer);
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c < removed.length; c++) {
            if (!removed[c]) {
                out.add(c);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean[] removed(ChannelGraph graph, boolean[][] keep, int layer) {
        boolean[] r = new boolean[graph.channels(layer)];
        for (int c = 0; c < r.length; c++) {
            CoupledChannel cc = graph.channel(layer, c);
            r[c] = !keep[cc.set()][cc.index()];
        }
        return r;
    }

    private static float[] pick(float[] values, int[] indices) {
        float[] out = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = values[indices[i]];
        }
        return out;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
