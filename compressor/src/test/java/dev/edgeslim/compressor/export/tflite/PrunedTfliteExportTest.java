package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.cli.CliRunner;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.prune.GroupPlanner;
import dev.edgeslim.compressor.prune.ModelSurgeon;
import dev.edgeslim.compressor.prune.PlanRule;
import dev.edgeslim.compressor.prune.PruneFixtures;
import dev.edgeslim.compressor.prune.PrunedNetwork;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * #7.1: a pruned network exports to TFLite like any other. yolov4-tiny at 128x128 with seeded weights and γ
 * spread over three decades (as after sparse training) is pruned by the group planner, written as darknet files,
 * read back, exported at fp32 / fp16 / int8 and run by the TFLite runtime against the TF Java graph of the same
 * pruned files, with the tolerances of the unpruned exports ({@link PrecisionCheck}); then the same through the
 * CLI: {@code prune}, {@code export} (int8 calibrated on synthetic VOC JPEGs), and the written .tflite files.
 */
class PrunedTfliteExportTest {
    static final int SIZE = 128;

    @TempDir
    static Path dir;
    static NetworkSpec original;
    static Path cfg;
    static Path weights;

    @BeforeAll
    static void randomSparseModel() throws Exception {
        original = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg")).withInputSize(SIZE, SIZE);
        cfg = dir.resolve("in/yolov4-tiny-128.cfg");
        weights = dir.resolve("in/yolov4-tiny-128.weights");
        CfgWriter.write(original, cfg);
        DarknetWeights.write(PruneFixtures.sparseGammas(original, 23), original, weights);
    }

    @Test
    void prunedModelExportsWithinTheUsualTolerances() throws Exception {
        WeightStore store = DarknetWeights.read(weights, original);
        GroupPlanner planner = GroupPlanner.automatic(original, GroupOptions.ratio(0.5), PlanRule.UNION);
        PrunedNetwork pruned = ModelSurgeon.prune(planner.graph(), store, planner.plan(store));
        assertTrue(pruned.spec().totalParams() < 0.6 * original.totalParams(), "channels were removed");
        Path prunedCfg = dir.resolve("api/pruned.cfg");
        Path prunedWeights = dir.resolve("api/pruned.weights");
        CfgWriter.write(pruned.spec(), prunedCfg);
        DarknetWeights.write(pruned.weights(), pruned.spec(), prunedWeights);
        NetworkSpec spec = CfgParser.parse(prunedCfg);
        WeightStore w = DarknetWeights.read(prunedWeights, spec);
        try (InferenceModel tf = InferenceModel.create(spec, w, 2)) {
            PrecisionCheck.run("pruned yolov4-tiny @" + SIZE, spec, w, image -> tf.run(image, 1), 8);
        }
    }

    @Test
    void prunedFilesExportedByTheCliRunLikeTheirTensorFlowGraph() throws Exception {
        Path pruneOut = dir.resolve("cli/prune");
        CliRunner prune = CliRunner.run("prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out",
                pruneOut.toString(), "--target-params", "0.5");
        assertEquals(0, prune.code(), prune.err());
        Path prunedCfg = pruneOut.resolve("pruned.cfg");
        Path prunedWeights = pruneOut.resolve("pruned.weights");
        Path voc = dir.resolve("calib-voc");
        SyntheticVoc.generate(voc, new SyntheticVoc.Options(6, 0, 96, 9, 1), false, null);
        Path fp32 = dir.resolve("cli/pruned-fp32.tflite");
        Path int8 = dir.resolve("cli/pruned-int8.tflite");
        CliRunner r = CliRunner.run("export", "--cfg", prunedCfg.toString(), "--weights", prunedWeights.toString(),
                "--format", "tflite", "--out", fp32.toString());
        assertEquals(0, r.code(), r.err());
        r = CliRunner.run("export", "--cfg", prunedCfg.toString(), "--weights", prunedWeights.toString(), "--format",
                "tflite", "--quant", "int8", "--calib", voc.resolve("VOC2007/JPEGImages").toString(), "--out",
                int8.toString());
        assertEquals(0, r.code(), r.err());

        NetworkSpec spec = CfgParser.parse(prunedCfg);
        WeightStore w = DarknetWeights.read(prunedWeights, spec);
        assertTrue(spec.totalParams() <= 0.5 * original.totalParams());
        SyntheticImages images = new SyntheticImages(31, 2);
        double fp32Error = 0;
        double int8Mean = 0;
        try (InferenceModel tf = InferenceModel.create(spec, w, 2);
             TfliteRunner f = TfliteRunner.load(fp32, 2, TfliteRunner.Delegates.DEFAULT);
             TfliteRunner q = TfliteRunner.load(int8, 2, TfliteRunner.Delegates.DEFAULT)) {
            assertEquals("int8", q.input().dtype());
            for (int i = 0; i < images.size(); i++) {
                float[] image = images.image(i, SIZE, SIZE);
                float[][] expected = tf.run(image, 1);
                fp32Error = Math.max(fp32Error, OutputErrors.maxRelative(f.run(image), expected));
                float[][] got = q.run(image);
                for (int h = 0; h < expected.length; h++) {
                    int8Mean = Math.max(int8Mean, OutputErrors.meanAbsOverRange(got[h], expected[h]));
                }
            }
        }
        System.out.printf("pruned yolov4-tiny @%d via the CLI (%,d -> %,d params): fp32 max rel err %.1e, int8 "
                + "mean|err|/range %.4f%n", SIZE, original.totalParams(), spec.totalParams(), fp32Error, int8Mean);
        assertTrue(fp32Error < PrecisionCheck.FP32_TOLERANCE, "fp32 error " + fp32Error);
        assertTrue(int8Mean < PrecisionCheck.INT8_MEAN_TOLERANCE, "int8 error " + int8Mean);
    }
}
