package dev.edgeslim.compressor.prune;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.opencv.OpenCvDarknetModel;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pruned cfg + weights FILES load in OpenCV DNN's darknet importer and give the same head logits as TF Java
 * running the pruned spec and weights in memory, for every upstream cfg (ratio 0.5, union rule, automatic groups).
 */
class OpenCvPrunedParityTest {
    private static final int THREADS = 2;

    static List<Path> cfgs() {
        return ReferenceFiles.allCfgs();
    }

    @ParameterizedTest
    @MethodSource("cfgs")
    void prunedFilesRunInOpenCvLikeInTensorFlow(Path cfg, @TempDir Path tmp) throws Exception {
        // 192: a multiple of every family stride (yolov4-p6 downsamples by 64)
        NetworkSpec spec = CfgParser.parse(cfg).withInputSize(192, 192);
        WeightStore weights = PruneFixtures.sparseGammas(spec, 17);
        GroupPlanner planner = GroupPlanner.automatic(spec, GroupOptions.ratio(0.5), PlanRule.UNION);
        PrunedNetwork pruned = ModelSurgeon.prune(planner.graph(), weights, planner.plan(weights));
        assertTrue(pruned.spec().totalParams() < 0.7 * spec.totalParams());
        Path cfgFile = tmp.resolve("pruned.cfg");
        Path weightsFile = tmp.resolve("pruned.weights");
        CfgWriter.write(pruned.spec(), cfgFile);
        DarknetWeights.write(pruned.weights(), pruned.spec(), weightsFile);
        float[] image = HeadDeviation.randomNhwc(spec, 5);
        float[][] tf;
        float[][] cv;
        try (InferenceModel m = InferenceModel.create(pruned.spec(), pruned.weights(), THREADS)) {
            tf = m.run(image, 1);
        }
        try (OpenCvDarknetModel m = OpenCvDarknetModel.load(cfgFile, weightsFile, THREADS)) {
            cv = m.run(image, 1);
        }
        double[] d = HeadDeviation.of(tf, cv);
        System.out.printf("OpenCV vs TF, pruned %s @160: max rel. deviation %.2e (output RMS %.3f)%n",
                cfg.getFileName(), d[0], d[2]);
        assertTrue(d[0] <= 1e-3, cfg.getFileName() + ": OpenCV differs from TF by " + d[0]);
        assertTrue(d[2] > 1e-3, "outputs are not trivially zero");
    }
}
