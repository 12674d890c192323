package dev.edgeslim.compressor.prune;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledChannel;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelSurgeonTest {
    static Stream<Arguments> networks() {
        List<Arguments> out = new ArrayList<>();
        for (Path p : ReferenceFiles.allCfgs()) {
            out.add(Arguments.of(p.getFileName().toString(), CfgParser.parse(p)));
        }
        out.add(Arguments.of("synthetic", PruneFixtures.synthetic()));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void surgeryGivesAConsistentSmallerNetworkThatRoundTrips(String name, NetworkSpec spec, @TempDir Path tmp)
            throws Exception {
        WeightStore weights = WeightInitializer.forTesting(spec, 11);
        ChannelGraph graph = ChannelGraph.of(spec);
        PruningPlan plan = PruneFixtures.randomPlan(graph, 5, 0.6);
        assertTrue(plan.removedChannels() > 0);
        PrunedNetwork pruned = ModelSurgeon.prune(graph, weights, plan);
        NetworkSpec ps = pruned.spec();
        pruned.weights().checkMatches(ps);
        assertEquals(ps, ModelSurgeon.prunedSpec(graph, plan));

        // every layer keeps exactly the planned channels; params follow from the kept counts
        long expectedParams = 0;
        for (int l = 0; l < spec.size(); l++) {
            assertEquals(kept(graph, plan, l).size(), ps.shapeOf(l).channels(), name + " layer " + l);
            assertEquals(spec.shapeOf(l).height(), ps.shapeOf(l).height());
            if (spec.layer(l) instanceof ConvLayer c) {
                long in = kept(graph, plan, spec.inputsOf(l).get(0)).size();
                long out = kept(graph, plan, l).size();
                expectedParams += out * (in / c.groups()) * c.size() * c.size() + out * (c.batchNormalize() ? 2 : 1);
            }
        }
        assertEquals(expectedParams, ps.totalParams());
        assertTrue(ps.totalParams() < spec.totalParams());
        assertTrue(ps.totalFlops() < spec.totalFlops());

        // kernels, γ, β and variance are exactly the kept rows/columns of the originals
        for (int l : spec.convLayers()) {
            ConvLayer c = spec.conv(l);
            List<Integer> outKept = kept(graph, plan, l);
            List<Integer> inKept = c.groups() > 1 ? allOf(spec.inputChannelsOf(l) / c.groups())
                    : kept(graph, plan, spec.inputsOf(l).get(0));
            ConvWeights a = weights.conv(l);
            ConvWeights b = pruned.weights().conv(l);
            int k2 = c.size() * c.size();
            int perOld = a.weightsPerFilter();
            int perNew = inKept.size() * k2;
            for (int fo = 0; fo < outKept.size(); fo++) {
                int o = outKept.get(fo);
                if (a.batchNormalized()) {
                    assertEquals(a.scales()[o], b.scales()[fo]);
                    assertEquals(a.biases()[o], b.biases()[fo]);
                    assertEquals(a.rollingVariance()[o], b.rollingVariance()[fo]);
                }
                for (int ji = 0; ji < inKept.size(); ji++) {
                    for (int t = 0; t < k2; t++) {
                        assertEquals(a.weights()[o * perOld + inKept.get(ji) * k2 + t], b.weights()[fo * perNew + ji * k2 + t]);
                    }
                }
            }
        }

        // the pruned cfg and weights round-trip through the darknet formats
        Path cfg = tmp.resolve("pruned.cfg");
        Path w = tmp.resolve("pruned.weights");
        CfgWriter.write(ps, cfg);
        DarknetWeights.write(pruned.weights(), ps, w);
        NetworkSpec back = CfgParser.parse(cfg);
        assertEquals(ps, back);
        assertEquals(pruned.weights(), DarknetWeights.read(w, back));
    }

    @Test
    void maskedNetworkZeroesGammaOfRemovedChannelsOnly() {
        NetworkSpec spec = PruneFixtures.synthetic();
        WeightStore weights = WeightInitializer.forTesting(spec, 3);
        ChannelGraph graph = ChannelGraph.of(spec);
        PruningPlan plan = PruneFixtures.randomPlan(graph, 9, 0.5);
        PrunedNetwork masked = ModelSurgeon.masked(spec, weights, plan);
        assertEquals(spec, masked.spec());
        int zeroed = 0;
        for (int l : spec.convLayers()) {
            ConvWeights a = weights.conv(l);
            ConvWeights m = masked.weights().conv(l);
            for (int c = 0; c < a.filters(); c++) {
                CoupledChannel cc = graph.channel(l, c);
                boolean removed = !plan.set(cc.set()).mask()[cc.index()];
                if (a.batchNormalized()) {
                    assertEquals(removed ? 0f : a.scales()[c], m.scales()[c]);
                    zeroed += removed ? 1 : 0;
                    assertEquals(a.biases()[c], m.biases()[c]);
                }
            }
        }
        assertTrue(zeroed > 0);
    }

    @Test
    void plansThatBreakConstraintsAreRefusedClearly() {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        ChannelGraph graph = ChannelGraph.of(spec);
        WeightStore w = WeightInitializer.forTesting(spec, 1);
        CoupledSet split = graph.setOfConv(2);
        // unbalanced: drop one channel of the first half only
        PruningPlan unbalanced = withMask(graph, split.id(), drop(split.size(), 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSurgeon.prune(spec, w, unbalanced));
        assertTrue(e.getMessage().contains("slice balance") && e.getMessage().contains("[31, 32]"), e.getMessage());
        // an unprunable set (the head convolution)
        CoupledSet head = graph.setOfConv(spec.yoloLayers().get(0) - 1);
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelSurgeon.prune(spec, w, withMask(graph, head.id(), drop(head.size(), 7))));
        assertTrue(e.getMessage().contains("unprunable") && e.getMessage().contains("[yolo]"), e.getMessage());
        // nothing kept
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelSurgeon.prune(spec, w, withMask(graph, 1, new boolean[graph.set(1).size()])));
        assertTrue(e.getMessage().contains("keeps no channel"), e.getMessage());
        // a plan for another network
        PruningPlan other = PruningPlan.keepAll(ChannelGraph.of(CfgParser.parse(ReferenceFiles.cfg("yolov3-tiny.cfg"))));
        e = assertThrows(IllegalArgumentException.class, () -> ModelSurgeon.prune(spec, w, other));
        assertTrue(e.getMessage().contains("another network"), e.getMessage());
    }

    @Test
    void keepAllPlanChangesNothing() {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        WeightStore w = WeightInitializer.forTesting(spec, 2);
        PrunedNetwork same = ModelSurgeon.prune(spec, w, PruningPlan.keepAll(ChannelGraph.of(spec)));
        assertEquals(spec, same.spec());
        assertEquals(w, same.weights());
    }

    private static PruningPlan withMask(ChannelGraph graph, int set, boolean[] mask) {
        List<boolean[]> masks = new ArrayList<>();
        for (CoupledSet s : graph.sets()) {
            boolean[] all = new boolean[s.size()];
            java.util.Arrays.fill(all, true);
            masks.add(s.id() == set ? mask : all);
        }
        return PruningPlan.fromMasks(graph, masks);
    }

    private static boolean[] drop(int size, int index) {
        boolean[] m = new boolean[size];
        java.util.Arrays.fill(m, true);
        m[index] = false;
        return m;
    }

    static List<Integer> kept(ChannelGraph graph, PruningPlan plan, int layer) {
        List<Integer> out = new ArrayList<>();
        List<CoupledChannel> chans = graph.outputChannels(layer);
        for (int c = 0; c < chans.size(); c++) {
            if (plan.set(chans.get(c).set()).mask()[chans.get(c).index()]) {
                out.add(c);
            }
        }
        return out;
    }

    private static List<Integer> allOf(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }
}
