package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * int8 models on the XNNPACK delegate ({@link TfliteRunner.Delegates#XNNPACK}) and the float-I/O int8 variant
 * ({@link ExportOptions#floatIo()}), on yolov4-tiny at 256: XNNPACK really takes the int8 graph, and its outputs
 * stay within the int8 tolerance of the TF Java inference graph.
 */
class XnnpackInt8Test {
    private static final int SIZE = 256;
    private static NetworkSpec spec;
    private static WeightStore weights;
    private static ExportedTflite int8Io;
    private static ExportedTflite floatIo;
    private static float[][] images;

    @BeforeAll
    static void export() {
        spec = TfliteUpstreamCfgTest.upstream("yolov4-tiny.cfg", SIZE);
        weights = WeightInitializer.forTesting(spec, 5);
        ExportOptions int8 = ExportOptions.int8(new SyntheticImages(21, 4), 4, 100);
        int8Io = TfliteExporter.export(spec, weights, int8);
        floatIo = TfliteExporter.export(spec, weights, int8.withFloatIo(true));
        SyntheticImages test = new SyntheticImages(404, 2);
        images = new float[][] {test.image(0, SIZE, SIZE), test.image(1, SIZE, SIZE)};
    }

    @Test
    void floatIoModelHasFloatTensorsAndMetadataSayingSo() {
        TfliteMetadata m = floatIo.metadata();
        assertEquals("int8", m.precision());
        assertEquals("float32", m.input().dtype());
        assertNull(m.input().quantization());
        for (TfliteMetadata.Head h : m.heads()) {
            assertEquals("float32", h.dtype());
            assertNull(h.quantization());
        }
        assertEquals("int8", int8Io.metadata().input().dtype());
        try (TfliteRunner runner = TfliteRunner.load(floatIo.model(), 1, TfliteRunner.Delegates.NONE);
             TfliteRunner plain = TfliteRunner.load(int8Io.model(), 1, TfliteRunner.Delegates.NONE)) {
            assertEquals("float32", runner.input().dtype());
            runner.outputs().forEach(o -> assertEquals("float32", o.dtype()));
            // one QUANTIZE in front, one DEQUANTIZE per head behind the same integer graph
            assertEquals(plain.operatorCount() + 1 + spec.yoloLayers().size(), runner.operatorCount());
        }
    }

    /** On TFLite's kernels the wrapper is exact: an input on the int8 grid gives the int8 model's outputs. */
    @Test
    void floatIoComputesWhatTheInt8ModelComputes() {
        float[] onGrid = images[0].clone();
        for (int i = 0; i < onGrid.length; i++) {
            onGrid[i] = Math.round(onGrid[i] * 255f) / 255f;
        }
        try (TfliteRunner wrapped = TfliteRunner.load(floatIo.model(), 1, TfliteRunner.Delegates.NONE);
             TfliteRunner plain = TfliteRunner.load(int8Io.model(), 1, TfliteRunner.Delegates.NONE)) {
            float[][] a = wrapped.run(onGrid);
            float[][] b = plain.run(onGrid);
            for (int k = 0; k < a.length; k++) {
                assertArrayEquals(b[k], a[k], "head " + k);
            }
        }
    }

    @Test
    void xnnpackTakesTheInt8GraphAndStaysWithinTheInt8ToleranceOfTensorFlow() {
        try (InferenceModel tf = InferenceModel.create(spec, weights, 2)) {
            for (ExportedTflite model : new ExportedTflite[] {int8Io, floatIo}) {
                String label = model.metadata().input().dtype() + " I/O";
                try (TfliteRunner runner = TfliteRunner.load(model.model(), 2, TfliteRunner.Delegates.XNNPACK);
                     TfliteRunner builtin = TfliteRunner.load(model.model(), 2, TfliteRunner.Delegates.DEFAULT)) {
                    System.out.printf("yolov4-tiny @%d int8 %s: %d operators; execution plan %d nodes with the"
                                    + " explicit XNNPACK delegate, %d with TFLite's builtin resolver%n", SIZE, label,
                            runner.operatorCount(), runner.executionPlanSize(), builtin.executionPlanSize());
                    // every op the exporter writes is one XNNPACK takes: the whole graph becomes one delegate node
                    assertEquals(1, runner.executionPlanSize(), label + ": XNNPACK left "
                            + (runner.executionPlanSize() - 1) + " of " + runner.operatorCount() + " operators out");
                    for (float[] image : images) {
                        float[][] expected = tf.run(image, 1);
                        float[][] got = runner.run(image);
                        for (int k = 0; k < got.length; k++) {
                            double mean = OutputErrors.meanAbsOverRange(got[k], expected[k]);
                            System.out.printf("  head %d: mean |err|/range %.4f vs TF Java%n", k, mean);
                            assertTrue(mean < PrecisionCheck.INT8_MEAN_TOLERANCE, label + " head " + k
                                    + " int8 mean error " + mean);
                        }
                        DetectionAgreement.Result d = DetectionAgreement.compare(spec, got, expected, 20);
                        assertTrue(d.recall() >= 0.7 && d.meanIou() > 0.8, label + " detections disagree: " + d);
                    }
                }
            }
        }
    }

    @Test
    void xnnpackRunsFloatModelsToo() {
        ExportedTflite fp32 = TfliteExporter.export(spec, weights, ExportOptions.fp32());
        try (TfliteRunner runner = TfliteRunner.load(fp32.model(), 2, TfliteRunner.Delegates.XNNPACK);
             TfliteRunner reference = TfliteRunner.load(fp32.model(), 1, TfliteRunner.Delegates.NONE)) {
            assertEquals(1, runner.executionPlanSize(), "plan " + runner.executionPlanSize());
            double err = OutputErrors.maxRelative(runner.run(images[1]), reference.run(images[1]));
            assertTrue(err < PrecisionCheck.FP32_TOLERANCE, "fp32 on XNNPACK vs TFLite kernels " + err);
        }
    }
}
