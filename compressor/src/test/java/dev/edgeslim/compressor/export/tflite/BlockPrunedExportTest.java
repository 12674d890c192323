package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.compressor.blocks.BlockSurgeon;
import dev.edgeslim.compressor.blocks.ResidualBlock;
import dev.edgeslim.compressor.blocks.ResidualBlocks;
import dev.edgeslim.compressor.prune.PrunedNetwork;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.opencv.OpenCvDarknetModel;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A network without some of its residual blocks is an ordinary darknet model: OpenCV DNN loads its cfg and weights
 * files ({@link OpenCvDarknetModel}) and computes what the TF graph of the original with those branches zeroed computes ({@link BlockSurgeon#zeroed});
 * it exports to TFLite at fp32 and int8, each running as one XNNPACK node, within the usual tolerances
 * ({@link PrecisionCheck}) of that reference.
 */
class BlockPrunedExportTest {
    static final int SIZE = 128;

    @ParameterizedTest
    @ValueSource(strings = {"yolov4-csp.cfg", "yolov4.cfg"})
    void blockPrunedModelLoadsInOpenCvAndRunsAsOneXnnpackNode(String cfg, @TempDir Path dir) throws Exception {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg(cfg)).withInputSize(SIZE, SIZE);
        WeightStore weights = WeightInitializer.forTesting(spec, 13);
        List<ResidualBlock> blocks = ResidualBlocks.leastImportant(spec, weights, 8);
        PrunedNetwork pruned = BlockSurgeon.remove(spec, weights, blocks).network();
        PrunedNetwork zeroed = BlockSurgeon.zeroed(spec, weights, blocks);
        Path cfgFile = dir.resolve("pruned.cfg");
        Path weightsFile = dir.resolve("pruned.weights");
        CfgWriter.write(pruned.spec(), cfgFile);
        DarknetWeights.write(pruned.weights(), pruned.spec(), weightsFile);
        SyntheticImages images = new SyntheticImages(3, 2);
        ExportedTflite fp32 = TfliteExporter.export(pruned.spec(), pruned.weights(), ExportOptions.fp32());
        ExportedTflite int8 = TfliteExporter.export(pruned.spec(), pruned.weights(),
                ExportOptions.int8(new SyntheticImages(77, 4), 4, 100));
        try (InferenceModel reference = InferenceModel.create(spec, zeroed.weights(), 2);
             OpenCvDarknetModel opencv = OpenCvDarknetModel.load(cfgFile, weightsFile, 2);
             TfliteRunner f = TfliteRunner.load(fp32.model(), 2, TfliteRunner.Delegates.XNNPACK);
             TfliteRunner q = TfliteRunner.load(int8.model(), 2, TfliteRunner.Delegates.XNNPACK)) {
            assertEquals(1, f.executionPlanSize(), "fp32: XNNPACK left operators out");
            assertEquals(1, q.executionPlanSize(), "int8: XNNPACK left operators out");
            double cvError = 0;
            double fp32Error = 0;
            double int8Mean = 0;
            for (int i = 0; i < images.size(); i++) {
                float[] image = images.image(i, SIZE, SIZE);
                float[][] expected = reference.run(image, 1);
                cvError = Math.max(cvError, OutputErrors.maxRelative(opencv.run(image, 1), expected));
                fp32Error = Math.max(fp32Error, OutputErrors.maxRelative(f.run(image), expected));
                float[][] got = q.run(image);
                for (int h = 0; h < got.length; h++) {
                    int8Mean = Math.max(int8Mean, OutputErrors.meanAbsOverRange(got[h], expected[h]));
                }
            }
            System.out.printf("%s @%d without %d blocks (%d -> %d layers): vs the zeroed-branch TF graph, OpenCV DNN max"
                            + " rel err %.1e, TFLite fp32 (XNNPACK) %.1e, int8 mean |err|/range %.4f%n", cfg, SIZE,
                    blocks.size(), spec.size(), pruned.spec().size(), cvError, fp32Error, int8Mean);
            assertTrue(cvError < PrecisionCheck.FP32_TOLERANCE, "OpenCV error " + cvError);
            assertTrue(fp32Error < PrecisionCheck.FP32_TOLERANCE, "fp32 error " + fp32Error);
            assertTrue(int8Mean < PrecisionCheck.INT8_MEAN_TOLERANCE, "int8 error " + int8Mean);
        }
    }
}
