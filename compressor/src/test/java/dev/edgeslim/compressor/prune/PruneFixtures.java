package dev.edgeslim.compressor.prune;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledChannel;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random plans, exactness-friendly β, and a small synthetic network exercising unusual couplings. */
public final class PruneFixtures {
    private PruneFixtures() {
    }

    /**
     * A network where a concat feeds a residual add (so one set has members at channel offsets), a grouped route
     * splits a concat of a single conv, an upsample with scale, a stride-1 SPP-style maxpool concat and a
     * conv without BN in the middle.
     */
    public static final String SYNTHETIC_CFG = """
            [net]
            width=32
            height=32
            channels=3

            # 0 a
            [convolutional]
            batch_normalize=1
            filters=8
            size=3
            stride=1
            pad=1
            activation=leaky

            # 1 b
            [convolutional]
            batch_normalize=1
            filters=8
            size=1
            stride=1
            pad=1
            activation=mish

            # 2 concat b, a
            [route]
            layers=-1,-2

            # 3 c
            [convolutional]
            batch_normalize=1
            filters=16
            size=1
            stride=1
            pad=1
            activation=leaky

            # 4 c + concat(b, a): couples c[0..8) with b, c[8..16) with a
            [shortcut]
            from=-2
            activation=linear

            # 5 downsample
            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=2
            pad=1
            activation=leaky

            # 6 second half
            [route]
            layers=-1
            groups=2
            group_id=1

            # 7
            [convolutional]
            batch_normalize=1
            filters=8
            size=1
            stride=1
            pad=1
            activation=leaky

            # 8 SPP-ish
            [maxpool]
            size=3
            stride=1

            # 9
            [route]
            layers=-1,-2,-4

            # 10 plain conv (no BN)
            [convolutional]
            filters=12
            size=1
            stride=1
            pad=1
            activation=leaky

            # 11
            [convolutional]
            batch_normalize=1
            filters=16
            size=1
            stride=1
            pad=1
            activation=leaky

            # 12
            [upsample]
            stride=2
            scale=0.5

            # 13
            [route]
            layers=-1,4

            # 14
            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=1
            pad=1
            activation=leaky

            # 15 head
            [convolutional]
            filters=18
            size=1
            stride=1
            pad=1
            activation=linear

            # 16
            [yolo]
            mask=0,1,2
            anchors=4,5, 8,9, 12,14
            classes=1
            num=3
            """;

    public static NetworkSpec synthetic() {
        return CfgParser.parse(SYNTHETIC_CFG, "synthetic.cfg");
    }

    /**
     * Seeded test weights ({@link WeightInitializer#forTesting}) whose BN γ are spread over three decades with
     * random signs, so ranking by |γ| matters, as after sparse training.
     */
    public static WeightStore sparseGammas(NetworkSpec spec, long seed) {
        WeightStore w = WeightInitializer.forTesting(spec, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int l : spec.convLayers()) {
            ConvWeights c = w.conv(l);
            if (c.batchNormalized()) {
                float[] g = new float[c.filters()];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) ((rng.nextBoolean() ? 1 : -1) * Math.pow(10, -3 * rng.nextDouble()));
                }
                w = w.with(l, new ConvWeights(c.biases(), g, c.rollingMean(), c.rollingVariance(), c.weights()));
            }
        }
        return w;
    }

    /** A random valid plan: each prunable coupled channel kept with probability {@code keep}, balance restored. */
    public static PruningPlan randomPlan(ChannelGraph graph, long seed, double keep) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<boolean[]> masks = new ArrayList<>();
        for (CoupledSet s : graph.sets()) {
            boolean[] m = new boolean[s.size()];
            double[] score = new double[s.size()];
            for (int i = 0; i < s.size(); i++) {
                m[i] = !s.prunable() || rng.nextDouble() < keep;
                score[i] = rng.nextDouble();
            }
            GroupPlanner.satisfy(m, score, 1, false, s.balances());
            masks.add(m);
        }
        return PruningPlan.fromMasks(graph, masks);
    }

    /**
     * The weights with β = 0 for every removed channel whose coupled channel reaches a zero-padded convolution
     * (anywhere: through routes, pools, upsamples, shortcuts), so act(β) = 0 there and bias folding is exact;
     * removed channels that only reach unpadded consumers keep their random β and are folded exactly.
     * Returns the count of removed channels left with a nonzero constant via {@code foldedOut[0]}.
     */
    public static WeightStore exactBetas(ChannelGraph graph, WeightStore weights, PruningPlan plan, int[] foldedOut) {
        NetworkSpec spec = graph.spec();
        List<boolean[]> padded = new ArrayList<>();
        for (CoupledSet s : graph.sets()) {
            padded.add(new boolean[s.size()]);
        }
        for (int l = NetworkSpec.IMAGE; l < spec.size(); l++) {
            List<Integer> consumers = l == NetworkSpec.IMAGE ? List.of(0) : spec.consumersOf(l);
            boolean anyPadded = consumers.stream().anyMatch(c -> spec.layer(c) instanceof ConvLayer conv && conv.padding() > 0);
            if (anyPadded) {
                for (CoupledChannel cc : graph.outputChannels(l)) {
                    padded.get(cc.set())[cc.index()] = true;
                }
            }
        }
        WeightStore out = weights;
        int folded = 0;
        for (CoupledSet s : graph.sets()) {
            boolean[] keep = plan.set(s.id()).mask();
            for (int l : s.convLayers()) {
                ConvWeights o = out.conv(l);
                ConvWeights w = new ConvWeights(o.biases().clone(), o.scales(), o.rollingMean(), o.rollingVariance(), o.weights());
                for (int c = 0; c < w.filters(); c++) {
                    CoupledChannel cc = graph.channel(l, c);
                    if (!keep[cc.index()]) {
                        if (padded.get(cc.set())[cc.index()]) {
                            w.biases()[c] = 0f;
                        } else {
                            folded++;
                        }
                    }
                }
                out = out.with(l, w);
            }
        }
        foldedOut[0] = folded;
        return out;
    }
}
