package dev.edgeslim.android;

import dev.edgeslim.compressor.export.tflite.ExportedTflite;
import dev.edgeslim.compressor.export.tflite.QuantParams;
import dev.edgeslim.compressor.export.tflite.TfliteMetadata;
import dev.edgeslim.compressor.export.tflite.TfliteRunner;
import dev.edgeslim.detector.model.YoloHeads;
import dev.edgeslim.detector.postprocess.Detection;
import dev.edgeslim.detector.postprocess.Detector;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import dev.edgeslim.detector.postprocess.InputTransform;
import dev.edgeslim.detector.postprocess.Quantization;
import dev.edgeslim.detector.postprocess.RawModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.Interpreter;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The app's detection code ({@link AndroidDetector} on the TFLite Java API {@code Interpreter}, here DJL's desktop
 * build of TFLite 2.6) against the desktop detection path (the shared {@link Detector} on {@link TfliteRunner},
 * the TFLite 2.18 C++ runtime) on the same exported models and images.
 *
 * <p>fp32: same boxes (IoU >= 0.99, scores within 1e-3) across the two runtimes. int8: TFLite 2.6 and 2.18 round
 * int8 kernels differently (about 5-10 % of output values one quantum apart, a few more), which flips close NMS
 * decisions, so the box-level comparison runs both pipelines on the same interpreter, the desktop one with the
 * exporter's own quantization arithmetic ({@link QuantParams}); the runtimes themselves are compared in quanta.
 */
class AndroidDetectorParityTest {
    /** Low threshold and no cap: hundreds of boxes to compare, none cut by the cap's tie-breaking. */
    static final DetectorOptions OPTIONS = DetectorOptions.defaults().withConfThreshold(0.2f).withMaxDetections(0);
    static final RuntimeSettings SETTINGS = new RuntimeSettings(2, Backend.XNNPACK);
    /** Rounding differences between TFLite 2.6 and 2.18 int8 kernels accumulate over layers: a few quanta. */
    static final int MAX_QUANTA = 4;

    @BeforeAll
    static void loadRuntime() {
        DesktopTflite.load();
    }

    @Test
    void appMetadataReaderAgreesWithTheExporterAndTheNetwork() throws Exception {
        for (ExportedTflite model : List.of(TestModels.fp32(), TestModels.int8())) {
            TfliteMetadata desktop = model.metadata();
            ModelMetadata app = ModelMetadata.parse(desktop.toJson(), "test.tflite.json");
            assertEquals(desktop.precision(), app.precision());
            assertEquals(TestModels.CLASS_NAMES, app.classNames());
            // the heads the app reads from JSON are the ones the desktop derives from the network itself
            assertEquals(YoloHeads.of(TestModels.spec()), app.yoloHeads());
            for (int i = 0; i < app.heads().size(); i++) {
                TfliteMetadata.Head h = desktop.heads().get(i);
                OutputHead a = app.heads().get(i);
                assertEquals(h.outputIndex(), a.outputIndex());
                assertEquals(h.dtype(), a.encoding().dtypeName());
                if (h.quantization() != null) {
                    assertEquals((float) h.quantization().scale(), a.encoding().scale());
                    assertEquals(h.quantization().zeroPoint(), a.encoding().zeroPoint());
                }
            }
        }
    }

    @Test
    void fp32ModelGivesTheDesktopBoxes() throws Exception {
        ExportedTflite model = TestModels.fp32();
        ModelMetadata meta = metadata(model);
        try (AndroidDetector app = open(model, "fp32");
             TfliteRunner runner = TfliteRunner.load(model.model(), 2, TfliteRunner.Delegates.DEFAULT)) {
            Detector desktop = new Detector(runnerModel(runner, meta), meta.yoloHeads(), meta.resizeMode(), OPTIONS, meta.classNames());
            int compared = 0;
            for (BufferedImage img : TestModels.sampleImages()) {
                // app from ARGB ints (Bitmap.getPixels), desktop from RGB bytes (its image loader)
                DetectionResult result = app.detect(TestModels.argb(img), img.getWidth(), img.getHeight());
                List<Detection> expected = desktop.detect(TestModels.rgb(img), img.getWidth(), img.getHeight());
                Agreement agreement = Agreement.of(expected, result.detections());
                System.out.printf(Locale.ROOT, "fp32 %dx%d: %s, app inference %.2f ms%n", img.getWidth(),
                        img.getHeight(), agreement, result.inferenceMillis());
                assertSameDetections(expected, result.detections());
                compared += expected.size();
            }
            assertTrue(compared >= 30, "too few boxes to compare: " + compared);
        }
    }

    @Test
    void int8ModelGivesTheDesktopBoxesFromTheSameRuntimeOutputs() throws Exception {
        ExportedTflite model = TestModels.int8();
        ModelMetadata meta = metadata(model);
        BackendLoader.Loaded loaded = BackendLoader.load(TestModels.bytes(model), SETTINGS);
        Interpreter interpreter = loaded.interpreter;
        try (AndroidDetector app = open(model, "int8")) {
            Detector desktop = new Detector(quantParamsModel(interpreter, model.metadata()), meta.yoloHeads(),
                    meta.resizeMode(), OPTIONS, meta.classNames());
            int compared = 0;
            for (BufferedImage img : TestModels.sampleImages()) {
                DetectionResult result = app.detect(TestModels.argb(img), img.getWidth(), img.getHeight());
                List<Detection> expected = desktop.detect(TestModels.rgb(img), img.getWidth(), img.getHeight());
                Agreement agreement = Agreement.of(expected, result.detections());
                System.out.printf(Locale.ROOT, "int8 %dx%d: %s, app inference %.2f ms%n", img.getWidth(),
                        img.getHeight(), agreement, result.inferenceMillis());
                assertSameDetections(expected, result.detections());
                compared += expected.size();
            }
            assertTrue(compared >= 30, "too few boxes to compare: " + compared);
        } finally {
            loaded.close();
        }
    }

    @Test
    void int8OutputsOfTheTwoRuntimesAreAFewQuantaApart() throws Exception {
        ExportedTflite model = TestModels.int8();
        ModelMetadata meta = metadata(model);
        try (InterpreterModel app = new InterpreterModel(BackendLoader.load(TestModels.bytes(model), SETTINGS), meta);
             TfliteRunner runner = TfliteRunner.load(model.model(), 2, TfliteRunner.Delegates.DEFAULT)) {
            TensorEncoding in = meta.inputEncoding();
            for (BufferedImage img : TestModels.sampleImages()) {
                float[] tensor = InputTransform.letterbox(img.getWidth(), img.getHeight(), meta.inputWidth(), meta.inputHeight())
                        .toTensor(TestModels.argb(img));
                float[][] a = app.run(tensor);
                // the same int8 input bytes into the desktop runtime
                runner.invokeRaw(Quantization.quantize(tensor, in.scale(), in.zeroPoint(), true));
                for (int k = 0; k < a.length; k++) {
                    OutputHead head = meta.heads().get(k);
                    float[] d = runner.output(head.outputIndex());
                    int[] histogram = new int[MAX_QUANTA + 1];
                    for (int i = 0; i < a[k].length; i++) {
                        long quanta = Math.round(Math.abs(a[k][i] - d[i]) / head.encoding().scale());
                        assertTrue(quanta <= MAX_QUANTA, "head " + k + " value " + i + " differs by " + quanta
                                + " quanta");
                        histogram[(int) quanta]++;
                    }
                    System.out.printf(Locale.ROOT, "int8 %dx%d head %d: values 0..%d quanta apart: %s%n",
                            img.getWidth(), img.getHeight(), k, MAX_QUANTA, java.util.Arrays.toString(histogram));
                    assertTrue(histogram[0] >= 0.85 * a[k].length, "most values must agree exactly");
                }
            }
        }
    }

    private static ModelMetadata metadata(ExportedTflite model) throws ModelLoadException {
        return ModelMetadata.parse(model.metadata().toJson(), "test.tflite.json");
    }

    private static AndroidDetector open(ExportedTflite model, String label) throws ModelLoadException {
        return AndroidDetector.open(TestModels.bytes(model), model.metadata().toJson(), "test-" + label, SETTINGS,
                OPTIONS);
    }

    /** The desktop runtime as a RawModel: outputs reordered into the metadata's head order. */
    static RawModel runnerModel(TfliteRunner runner, ModelMetadata meta) {
        return (input, batch) -> {
            float[][] outputs = runner.run(input);
            float[][] byHead = new float[meta.heads().size()][];
            for (int k = 0; k < byHead.length; k++) {
                byHead[k] = outputs[meta.heads().get(k).outputIndex()];
            }
            return byHead;
        };
    }

    /**
     * An int8 interpreter driven by code independent of the app's {@link InterpreterModel}: parameters from the
     * desktop {@link TfliteMetadata} (Jackson), dequantization with the exporter's {@link QuantParams}, input
     * quantization transcribed from TFLite's own QUANTIZE kernel ({@code round(x / scale) + zero_point} in float,
     * half away from zero). Not QuantParams.quantize: it divides in double and rounds ties up, so values exactly
     * between two steps (common after bilinear resizing, e.g. 64.5/255) land one quantum lower than on TFLite.
     */
    static RawModel quantParamsModel(Interpreter interpreter, TfliteMetadata metadata) {
        float scale = (float) metadata.input().quantization().scale();
        int zeroPoint = metadata.input().quantization().zeroPoint();
        return (input, batch) -> {
            ByteBuffer inBuf = ByteBuffer.allocateDirect(input.length).order(ByteOrder.nativeOrder());
            for (float v : input) {
                float x = v / scale;
                long q = (long) (Math.signum(x) * Math.floor(Math.abs(x) + 0.5f)) + zeroPoint;
                inBuf.put((byte) Math.max(-128, Math.min(127, q)));
            }
            inBuf.rewind();
            Map<Integer, Object> outs = new HashMap<>();
            for (TfliteMetadata.Head h : metadata.heads()) {
                int n = h.shape().stream().reduce(1, (x, y) -> x * y);
                outs.put(h.outputIndex(), ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder()));
            }
            interpreter.runForMultipleInputsOutputs(new Object[] {inBuf}, outs);
            float[][] result = new float[metadata.heads().size()][];
            for (int k = 0; k < result.length; k++) {
                TfliteMetadata.Head h = metadata.heads().get(k);
                ByteBuffer b = (ByteBuffer) outs.get(h.outputIndex());
                b.rewind();
                QuantParams q = h.quantization().params();
                result[k] = new float[b.remaining()];
                for (int i = 0; i < result[k].length; i++) {
                    result[k][i] = (float) q.dequantize(b.get());
                }
            }
            return result;
        };
    }

    /** How two detection lists agree: matched by class and best IoU. */
    record Agreement(int expected, int actual, int unmatched, float minIou, float maxScoreDiff) {
        static Agreement of(List<Detection> expected, List<Detection> actual) {
            List<Detection> left = new ArrayList<>(actual);
            float minIou = 1;
            float maxDiff = 0;
            int unmatched = 0;
            for (Detection e : expected) {
                Detection best = best(e, left);
                if (best == null) {
                    unmatched++;
                    continue;
                }
                minIou = Math.min(minIou, best.iou(e));
                maxDiff = Math.max(maxDiff, Math.abs(best.score() - e.score()));
                left.remove(best);
            }
            return new Agreement(expected.size(), actual.size(), unmatched + left.size(), minIou, maxDiff);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d desktop / %d app boxes, %d unmatched, min IoU %.6f,"
                    + " max |score diff| %.2e", expected, actual, unmatched, minIou, maxScoreDiff);
        }
    }

    private static Detection best(Detection e, List<Detection> candidates) {
        Detection best = null;
        for (Detection a : candidates) {
            if (a.classId() == e.classId() && (best == null || a.iou(e) > best.iou(e))) {
                best = a;
            }
        }
        return best;
    }

    /** Same classes and names, IoU >= 0.99, scores within 1e-3, one to one. */
    static void assertSameDetections(List<Detection> expected, List<Detection> actual) {
        assertEquals(expected.size(), actual.size(), "number of detections");
        List<Detection> unmatched = new ArrayList<>(actual);
        for (Detection e : expected) {
            Detection best = best(e, unmatched);
            assertTrue(best != null, "no app detection of class " + e.label() + " for " + e);
            assertTrue(best.iou(e) >= 0.99f, "IoU " + best.iou(e) + " between desktop " + e + " and app " + best);
            assertEquals(e.score(), best.score(), 1e-3f, "score of " + e);
            assertEquals(e.className(), best.className());
            unmatched.remove(best);
        }
    }
}
