package dev.edgeslim.compressor.prune;

import dev.edgeslim.compressor.DarknetReference;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledChannel;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Numeric exactness of bias folding against an independent plain-Java darknet forward pass (no TF needed):
 * pruned == masked within 1e-4 when removed channels reaching padded convolutions have act(β) = 0 (folding
 * exercised on all the others), and a measured deviation with random β everywhere (the border effect of padded
 * consumers), compared with not folding at all.
 */
class FoldingExactnessTest {
    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("exactnessCases")
    void prunedEqualsMaskedWhereFoldingIsExact(String name, int size) {
        NetworkSpec spec = name.equals("synthetic") ? PruneFixtures.synthetic()
                : CfgParser.parse(ReferenceFiles.cfg(name)).withInputSize(size, size);
        ChannelGraph graph = ChannelGraph.of(spec);
        WeightStore random = WeightInitializer.forTesting(spec, 21);
        PruningPlan plan = PruneFixtures.randomPlan(graph, 4, 0.5);
        float[] image = DarknetReference.randomImage(spec, 8);

        int[] folded = new int[1];
        WeightStore exact = PruneFixtures.exactBetas(graph, random, plan, folded);
        assertTrue(folded[0] > 0, "some removed channels keep β != 0 and are folded into unpadded consumers");
        double exactDev = deviation(spec, exact, plan, image, true);
        assertTrue(exactDev <= 1e-4, name + ": pruned differs from masked by " + exactDev);

        double borderDev = deviation(spec, random, plan, image, false);
        double noFoldDev = withoutFolding(spec, random, plan, image);
        System.out.printf("%s @%d: %d folded channels; exact setting: max rel. deviation %.2e; random β: relative "
                + "RMS deviation %.3e (without folding %.3e)%n", name, size, folded[0], exactDev, borderDev, noFoldDev);
        assertTrue(borderDev < 0.25, name + ": border deviation " + borderDev + " is not small");
        if (name.equals("synthetic")) {
            assertTrue(borderDev < 0.5 * noFoldDev, "mostly-interior maps: folding must beat dropping the constants");
        }
    }

    static Stream<Arguments> exactnessCases() {
        return Stream.of(Arguments.of("synthetic", 32), Arguments.of("yolov4-tiny.cfg", 64),
                Arguments.of("yolov3-tiny.cfg", 64), Arguments.of("yolov4.cfg", 32), Arguments.of("yolov4-csp.cfg", 32),
                Arguments.of("yolov7-tiny.cfg", 64), Arguments.of("yolov4-tiny-3l.cfg", 64), Arguments.of("yolov3.cfg", 32));
    }

    /** Max relative difference (elementwise, vs max(1,|x|)) or relative RMS over all heads. */
    private static double deviation(NetworkSpec spec, WeightStore w, PruningPlan plan, float[] image, boolean max) {
        PrunedNetwork masked = ModelSurgeon.masked(spec, w, plan);
        PrunedNetwork pruned = ModelSurgeon.prune(spec, w, plan);
        float[][] a = DarknetReference.heads(masked.spec(), masked.weights(), image);
        float[][] b = DarknetReference.heads(pruned.spec(), pruned.weights(), image);
        assertEquals(a.length, b.length);
        double worst = 0;
        double sq = 0;
        double ref = 0;
        for (int h = 0; h < a.length; h++) {
            assertEquals(a[h].length, b[h].length);
            for (int i = 0; i < a[h].length; i++) {
                double x = a[h][i];
                double d = Math.abs(x - b[h][i]);
                worst = Math.max(worst, d / Math.max(1, Math.abs(x)));
                sq += d * d;
                ref += x * x;
            }
        }
        return max ? worst : Math.sqrt(sq / ref);
    }

    /** Relative RMS change of the masked output when removed channels output 0 instead of act(β): no folding. */
    private static double withoutFolding(NetworkSpec spec, WeightStore w, PruningPlan plan, float[] image) {
        ChannelGraph graph = ChannelGraph.of(spec);
        WeightStore zero = w;
        for (CoupledSet s : graph.sets()) {
            boolean[] keep = plan.set(s.id()).mask();
            for (int l : s.convLayers()) {
                ConvWeights o = zero.conv(l);
                ConvWeights c = new ConvWeights(o.biases().clone(), o.scales(), o.rollingMean(), o.rollingVariance(), o.weights());
                for (int ch = 0; ch < c.filters(); ch++) {
                    CoupledChannel cc = graph.channel(l, ch);
                    if (!keep[cc.index()]) {
                        c.biases()[ch] = 0f;
                    }
                }
                zero = zero.with(l, c);
            }
        }
        PrunedNetwork a = ModelSurgeon.masked(spec, w, plan);
        PrunedNetwork b = ModelSurgeon.masked(spec, zero, plan);
        float[][] x = DarknetReference.heads(a.spec(), a.weights(), image);
        float[][] y = DarknetReference.heads(b.spec(), b.weights(), image);
        double sq = 0;
        double ref = 0;
        for (int h = 0; h < x.length; h++) {
            for (int i = 0; i < x[h].length; i++) {
                double d = x[h][i] - y[h][i];
                sq += d * d;
                ref += (double) x[h][i] * x[h][i];
            }
        }
        return Math.sqrt(sq / ref);
    }
}
