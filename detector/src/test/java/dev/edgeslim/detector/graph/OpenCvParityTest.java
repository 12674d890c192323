package dev.edgeslim.detector.graph;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.opencv.OpenCvDarknetModel;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TF Java inference (constant graph, BN folded) against OpenCV DNN's darknet importer on the upstream cfgs with
 * seeded random weights written to a real .weights file: every head's raw logits agree within
 * max |tf − cv| ≤ 1e-3·max(1, |cv|). Full YOLOv4 is in {@link Yolov4ParityTest} (it alone takes ~15 s).
 */
class OpenCvParityTest {
    static final double TOLERANCE = 1e-3;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"yolov4-tiny.cfg, 416", "yolov3-tiny.cfg, 416", "yolov4-tiny-custom.cfg, 320"})
    void headsMatchOpenCv(String cfgName, int size) throws Exception {
        assertHeadsMatchOpenCv(dir, cfgName, size);
    }

    /** Writes the cfg at {@code size} and seeded random weights to {@code dir}, runs both runtimes, compares heads. */
    static void assertHeadsMatchOpenCv(Path dir, String cfgName, int size) throws Exception {
        assertHeadsMatchOpenCv(dir, ReferenceFiles.cfg(cfgName), size, TOLERANCE);
    }

    /** As above for any cfg file, with the relative tolerance {@code tolerance}. */
    static void assertHeadsMatchOpenCv(Path dir, Path cfgFile, int size, double tolerance) throws Exception {
        String cfgName = cfgFile.getFileName().toString();
        NetworkSpec spec = CfgParser.parse(cfgFile).withInputSize(size, size);
        Path cfg = dir.resolve("model.cfg");
        Path weightsFile = dir.resolve("model.weights");
        CfgWriter.write(spec, cfg);
        DarknetWeights.write(WeightInitializer.forTesting(spec, 7), spec, weightsFile);
        WeightStore weights = DarknetWeights.read(weightsFile, spec);
        float[] input = TestArrays.uniform(size * size * 3, 11);

        float[][] tf;
        try (InferenceModel model = InferenceModel.create(spec, weights, 2)) {
            tf = model.run(input, 1);
            for (int h = 0; h < tf.length; h++) {
                int[] s = model.outputShape(h);
                assertEquals((long) s[0] * s[1] * s[2], tf[h].length);
            }
        }
        float[][] cv;
        try (OpenCvDarknetModel model = OpenCvDarknetModel.load(cfg, weightsFile, 2)) {
            cv = model.run(input, 1);
        }
        assertEquals(spec.yoloLayers().size(), tf.length);
        assertEquals(tf.length, cv.length);
        for (int h = 0; h < tf.length; h++) {
            double err = TestArrays.maxRelativeError(tf[h], cv[h]);
            System.out.printf("%s head %d: max |logit| %.3f, max relative error %.2e%n", cfgName, h,
                    TestArrays.maxAbs(cv[h]), err);
            assertTrue(TestArrays.maxAbs(cv[h]) > 0.1, "head " + h + " is degenerate");
            assertTrue(err <= tolerance, cfgName + " head " + h + ": max relative error " + err);
        }
    }

    @Test
    void batchesMatchSingleImagesInBothRuntimes() throws Exception {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny-custom.cfg")).withInputSize(160, 160);
        Path cfg = dir.resolve("model.cfg");
        Path weightsFile = dir.resolve("model.weights");
        CfgWriter.write(spec, cfg);
        WeightStore weights = WeightInitializer.forTesting(spec, 17);
        DarknetWeights.write(weights, spec, weightsFile);
        int n = 160 * 160 * 3;
        float[] a = TestArrays.uniform(n, 1);
        float[] b = TestArrays.uniform(n, 2);
        float[] ab = new float[2 * n];
        System.arraycopy(a, 0, ab, 0, n);
        System.arraycopy(b, 0, ab, n, n);
        try (InferenceModel tf = InferenceModel.create(spec, weights, 2);
             OpenCvDarknetModel cv = OpenCvDarknetModel.load(cfg, weightsFile, 2)) {
            float[][] single = tf.run(a, 1);
            float[][] pair = tf.run(ab, 2);
            float[][] second = tf.run(b, 1);
            float[][] cvPair = cv.run(ab, 2);
            for (int h = 0; h < single.length; h++) {
                assertArrayEquals(tf.outputShape(h), cv.outputShape(h));
                int per = single[h].length;
                assertEquals(2 * per, pair[h].length);
                assertTrue(TestArrays.maxRelativeError(java.util.Arrays.copyOfRange(pair[h], 0, per), single[h]) <= 1e-5);
                assertTrue(TestArrays.maxRelativeError(java.util.Arrays.copyOfRange(pair[h], per, 2 * per), second[h])
                        <= 1e-5);
                assertTrue(TestArrays.maxRelativeError(pair[h], cvPair[h]) <= TOLERANCE);
            }
            assertThrows(IllegalArgumentException.class, () -> tf.run(a, 2));
            assertThrows(IllegalArgumentException.class, () -> cv.run(a, 2));
        }
    }
}
