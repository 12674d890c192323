package dev.edgeslim.compressor.sparsity;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.builtin.BuiltinModels;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The FLOPs a channel costs, and the sparsity weights made from them. */
class ChannelCostsTest {
    @Test
    void aChannelCostsItsOwnConvolutionAndItsConsumersInput() {
        // three stride-2 3x3 convs at 64 px (32, 16, 8 px outputs) and the 1x1 head
        NetworkSpec spec = CfgParser.parse(TinyModels.yolo(64, 8, 16, 16), "tiny.cfg");
        ChannelGraph graph = ChannelGraph.of(spec);
        Map<Integer, Double> costs = ChannelCosts.flopsPerChannel(graph);
        int first = spec.convLayers().get(0);
        int second = spec.convLayers().get(1);
        // one output channel of the first conv: 3·3·3 MACs at 32x32 (+ its BN/activation), and one input channel
        // of the second: 3·3·16 MACs at 16x16; FLOPs are 2 per MAC
        double expected = 2.0 * (3 * 3 * 3 * 32 * 32 + 3 * 3 * 16 * 16 * 16);
        assertEquals(expected, costs.get(first), 0.02 * expected);
        assertTrue(costs.get(first) > costs.get(second), costs.toString());
    }

    @Test
    void weightsFavourCostlyChannelsAndAverageOneOverChannels() {
        NetworkSpec spec = BuiltinModels.byName("yolov4-w0.25", 20, 160);
        ChannelGraph graph = ChannelGraph.of(spec);
        Map<Integer, Double> costs = ChannelCosts.flopsPerChannel(graph);
        Map<Integer, Double> weights = ChannelCosts.flopsWeights(graph);
        assertEquals(costs.keySet(), weights.keySet());
        assertEquals(1.0, weightedMean(spec, weights), 1e-9);
        for (int a : weights.keySet()) {
            for (int b : weights.keySet()) {
                if (costs.get(a) > costs.get(b)) {
                    assertTrue(weights.get(a) > weights.get(b), a + " costs more than " + b);
                }
            }
        }
        int firstPrunable = weights.keySet().iterator().next();
        int last = ((java.util.TreeMap<Integer, Double>) weights).lastKey();
        assertTrue(weights.get(firstPrunable) > 1 && weights.get(last) < 1, weights.toString());
    }

    @Test
    void aSetSplitByAGroupedRouteIsPricedPerChannelOfABalancedRemoval() {
        // yolov4-tiny's CSP blocks split a convolution's output in two halves ([route] groups=2 group_id=1):
        // removing a single channel would unbalance the halves, so it is priced by removing one per half
        NetworkSpec spec = BuiltinModels.byName("yolov4-tiny", 20, 64);
        ChannelGraph graph = ChannelGraph.of(spec);
        Map<Integer, Double> costs = ChannelCosts.flopsPerChannel(graph);
        boolean sawBalancedSet = false;
        for (var set : graph.sets()) {
            if (set.prunable() && set.size() > 1 && !set.balances().isEmpty()) {
                sawBalancedSet = true;
                for (int layer : set.convLayers()) {
                    assertTrue(costs.get(layer) > 0, "layer " + layer + " has no cost: " + costs);
                }
            }
        }
        assertTrue(sawBalancedSet, "yolov4-tiny should have a set split by a grouped route");
        assertEquals(1.0, weightedMean(spec, ChannelCosts.paramsWeights(graph)), 1e-9);
    }

    private static double weightedMean(NetworkSpec spec, Map<Integer, Double> weights) {
        double channels = 0;
        double sum = 0;
        for (var e : weights.entrySet()) {
            int n = spec.conv(e.getKey()).filters();
            channels += n;
            sum += n * e.getValue();
        }
        return sum / channels;
    }
}
