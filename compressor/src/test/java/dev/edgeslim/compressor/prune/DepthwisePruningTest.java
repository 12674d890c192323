package dev.edgeslim.compressor.prune;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.opencv.OpenCvDarknetModel;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Depthwise convolutions in pruning, on the darknet-trained Yolo-Fastest body model as shipped: a depthwise layer's
 * channels are one coupled set with the channels that feed it, {@code --ratio 0.3} removes a fifth of the
 * parameters, and the pruned cfg + weights files run in OpenCV DNN like the masked network (γ = 0 for removed
 * channels) and like TF Java. A grouped convolution that is not depthwise keeps its channels, with the reason.
 */
class DepthwisePruningTest {
    private static final int THREADS = 2;
    private static final Path MODEL = ReferenceFiles.model("yolo-fastest-body");

    static NetworkSpec body() {
        return CfgParser.parse(MODEL.resolve("yolo-fastest-1.1_body.cfg"));
    }

    @Test
    void depthwiseChannelsAreCoupledWithTheirInput() {
        NetworkSpec spec = body();
        ChannelGraph graph = ChannelGraph.of(spec);
        int depthwise = 0;
        int prunable = 0;
        for (int l : spec.convLayers()) {
            ConvLayer c = spec.conv(l);
            int in = spec.inputsOf(l).get(0);
            if (c.groups() > 1) {
                assertTrue(c.depthwise(graph.channels(in)), "layer " + l + " of the body model is depthwise");
                depthwise++;
                CoupledSet set = graph.setOfConv(l);
                for (int k = 0; k < c.filters(); k++) {
                    assertEquals(graph.channel(in, k), graph.channel(l, k));
                }
                prunable += set.prunable() ? 1 : 0;
            }
        }
        // FLOPs-weighted sparse training prices a depthwise channel with the channel feeding it: one coupled set
        java.util.Map<Integer, Double> costs = dev.edgeslim.compressor.sparsity.ChannelCosts.flopsPerChannel(graph);
        for (int l : spec.convLayers()) {
            if (spec.conv(l).groups() > 1 && costs.containsKey(l)) {
                for (int member : graph.setOfConv(l).convLayers()) {
                    assertEquals(costs.get(l), costs.get(member), "conv " + l + " and conv " + member + " cost the same");
                }
                assertTrue(costs.get(l) > 2.0 * spec.conv(l).size() * spec.conv(l).size()
                        * spec.shapeOf(l).height() * spec.shapeOf(l).width(), "the whole block's channel, not one filter");
            }
        }
        assertEquals(28, depthwise, "the body model is made of depthwise convolutions: " + depthwise);
        assertTrue(prunable >= depthwise - 2, prunable + " of " + depthwise + " depthwise sets are prunable");
    }

    @Test
    void groupedConvolutionThatIsNotDepthwiseIsKeptWithItsReason() {
        NetworkSpec spec = CfgParser.parse("""
                [net]
                width=16
                height=16
                channels=3

                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                pad=1
                activation=leaky

                [convolutional]
                batch_normalize=1
                groups=2
                filters=8
                size=3
                pad=1
                activation=leaky

                [convolutional]
                batch_normalize=1
                filters=8
                size=1
                activation=leaky

                [convolutional]
                size=1
                filters=18
                activation=linear

                [yolo]
                mask=0,1,2
                anchors=10,14, 23,27, 37,58
                classes=1
                num=3
                """, "grouped.cfg");
        ChannelGraph graph = ChannelGraph.of(spec);
        for (int l : new int[]{0, 1}) {
            CoupledSet set = graph.setOfConv(l);
            assertFalse(set.prunable());
            assertTrue(set.unprunableReasons().contains(
                    "grouped convolution 1 (groups=2, not depthwise) keeps its input and output channels whole"),
                    set.unprunableReasons().toString());
        }
        assertTrue(graph.setOfConv(2).prunable(), "the plain conv after it still prunes");

        GroupPlanner planner = GroupPlanner.automatic(spec, GroupOptions.ratio(0.5), PlanRule.UNION);
        WeightStore weights = PruneFixtures.sparseGammas(spec, 3);
        PrunedNetwork pruned = ModelSurgeon.prune(planner.graph(), weights, planner.plan(weights));
        assertEquals(8, pruned.spec().conv(1).filters(), "the grouped convolution keeps its filters");
        assertTrue(pruned.spec().conv(2).filters() < 8, "the plain one loses some");
        PruneReport report = PruneReport.of(spec, pruned.spec(), planner, null);
        assertTrue(report.keptWhole().stream().anyMatch(k -> k.convs().equals(java.util.List.of(0))
                && k.reasons().stream().anyMatch(r -> r.startsWith("grouped convolution 1"))), report.keptWhole().toString());
        assertTrue(report.toMarkdown().contains("| 0 | grouped convolution 1 (groups=2, not depthwise) keeps its input "
                + "and output channels whole |"), report.toMarkdown());
    }

    @Test
    void ratioPointThreeRemovesAFifthAndPrunedFilesEqualTheMaskedNetworkInOpenCv(@TempDir Path tmp) throws IOException {
        NetworkSpec spec = body();
        WeightStore weights = DarknetWeights.read(MODEL.resolve("yolo-fastest-1.1_body.weights"), spec);
        GroupPlanner planner = GroupPlanner.automatic(spec, GroupOptions.ratio(0.3), PlanRule.UNION);
        PruningPlan plan = planner.plan(weights);
        PrunedNetwork pruned = ModelSurgeon.prune(planner.graph(), weights, plan);
        double removed = 1 - (double) pruned.spec().totalParams() / spec.totalParams();
        System.out.printf("yolo-fastest body, ratio 0.3: params %,d -> %,d (-%.1f%%)%n", spec.totalParams(),
                pruned.spec().totalParams(), 100 * removed);
        assertTrue(removed >= 0.20, "ratio 0.3 removes only " + removed + " of the parameters");

        PrunedNetwork masked = ModelSurgeon.masked(spec, weights, plan);
        float[] image = HeadDeviation.randomNhwc(spec, 7);
        float[][] prunedCv = runOpenCv(pruned, tmp.resolve("pruned"), image);
        float[][] maskedCv = runOpenCv(masked, tmp.resolve("masked"), image);
        float[][] prunedTf;
        try (InferenceModel m = InferenceModel.create(pruned.spec(), pruned.weights(), THREADS)) {
            prunedTf = m.run(image, 1);
        }
        float[][] maskedTf;
        try (InferenceModel m = InferenceModel.create(masked.spec(), masked.weights(), THREADS)) {
            maskedTf = m.run(image, 1);
        }
        // the trained model's large logits (RMS ~7) carry float32 summation-order differences between the two
        // runtimes through 131 layers; the pruned files must not add to what the unpruned network shows
        double runtimes = HeadDeviation.of(maskedTf, maskedCv)[0];
        System.out.printf("masked: OpenCV vs TF %.2e; pruned vs masked in TF %.2e%n", runtimes,
                HeadDeviation.of(maskedTf, prunedTf)[0]);
        double[] vsMasked = HeadDeviation.of(maskedCv, prunedCv);
        double[] vsTf = HeadDeviation.of(prunedTf, prunedCv);
        System.out.printf("pruned vs masked in OpenCV: max rel. %.2e (output RMS %.3f); pruned OpenCV vs TF: %.2e%n",
                vsMasked[0], vsMasked[2], vsTf[0]);
        assertTrue(vsMasked[2] > 1e-3, "outputs are not trivially zero");
        assertTrue(vsMasked[0] <= 1e-3, "pruned differs from masked by " + vsMasked[0]);
        assertTrue(vsTf[0] <= Math.max(1e-3, 1.5 * runtimes), "OpenCV differs from TF by " + vsTf[0]
                + " on the pruned files, by " + runtimes + " on the masked network");
    }

    @Test
    void randomPlansOnSeededWeightsStayExact() {
        NetworkSpec spec = body().withInputSize(160, 160);
        ChannelGraph graph = ChannelGraph.of(spec);
        WeightStore random = WeightInitializer.forTesting(spec, 5);
        PruningPlan plan = PruneFixtures.randomPlan(graph, 9, 0.5);
        int[] folded = new int[1];
        WeightStore exact = PruneFixtures.exactBetas(graph, random, plan, folded);
        PrunedNetwork masked = ModelSurgeon.masked(spec, exact, plan);
        PrunedNetwork pruned = ModelSurgeon.prune(graph, exact, plan);
        float[] image = HeadDeviation.randomNhwc(spec, 3);
        float[][] a;
        float[][] b;
        try (InferenceModel m = InferenceModel.create(masked.spec(), masked.weights(), THREADS)) {
            a = m.run(image, 1);
        }
        try (InferenceModel m = InferenceModel.create(pruned.spec(), pruned.weights(), THREADS)) {
            b = m.run(image, 1);
        }
        double[] d = HeadDeviation.of(a, b);
        System.out.printf("random plan on the body model: %d folded channels, max rel. deviation %.2e%n", folded[0], d[0]);
        assertTrue(folded[0] > 0);
        assertTrue(d[0] <= 1e-4, "pruned differs from masked by " + d[0]);
    }

    private static float[][] runOpenCv(PrunedNetwork net, Path base, float[] image) throws IOException {
        Path cfg = base.resolveSibling(base.getFileName() + ".cfg");
        Path weights = base.resolveSibling(base.getFileName() + ".weights");
        CfgWriter.write(net.spec(), cfg);
        DarknetWeights.write(net.weights(), net.spec(), weights);
        try (OpenCvDarknetModel m = OpenCvDarknetModel.load(cfg, weights, THREADS)) {
            return m.run(image, 1);
        }
    }
}
