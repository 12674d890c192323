package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exports one network at fp32, fp16 and int8 and checks each against a reference forward pass. */
final class PrecisionCheck {
    static final double FP32_TOLERANCE = 1e-4;
    static final double FP16_TOLERANCE = 1e-2;
    /** int8: mean |error| per head as a fraction of the reference's value range. */
    static final double INT8_MEAN_TOLERANCE = 0.02;

    private PrecisionCheck() {
    }

    /** Runs all three precisions; {@code reference} maps an NHWC image to the expected head maps. */
    static void run(String label, NetworkSpec spec, WeightStore weights, Function<float[], float[][]> reference,
                    int calibrationImages) {
        run(label, spec, weights, reference, calibrationImages, true);
    }

    /** As {@link #run}, optionally without the fp16 export (which big networks make slow). */
    static void run(String label, NetworkSpec spec, WeightStore weights, Function<float[], float[][]> reference,
                    int calibrationImages, boolean withFp16) {
        int w = spec.net().width();
        int h = spec.net().height();
        SyntheticImages test = new SyntheticImages(1234, 2);
        float[][] inputs = {test.image(0, w, h), test.image(1, w, h)};
        float[][][] expected = {reference.apply(inputs[0]), reference.apply(inputs[1])};

        long t = System.nanoTime();
        ExportedTflite fp32 = TfliteExporter.export(spec, weights, ExportOptions.fp32());
        double fp32Seconds = (System.nanoTime() - t) / 1e9;
        double fp32Error = maxRelative(fp32, inputs, expected);
        ExportedTflite fp16 = withFp16 ? TfliteExporter.export(spec, weights, ExportOptions.fp16()) : null;
        double fp16Error = withFp16 ? maxRelative(fp16, inputs, expected) : 0;
        t = System.nanoTime();
        ExportedTflite int8 = TfliteExporter.export(spec, weights,
                ExportOptions.int8(new SyntheticImages(77, calibrationImages), calibrationImages, 100));
        double int8Seconds = (System.nanoTime() - t) / 1e9;

        double int8Mean = 0;
        double int8Max = 0;
        DetectionAgreement.Result worstDetections = new DetectionAgreement.Result(1, 1);
        try (TfliteRunner runner = TfliteRunner.load(int8.model(), 2, TfliteRunner.Delegates.DEFAULT)) {
            for (int i = 0; i < inputs.length; i++) {
                float[][] got = runner.run(inputs[i]);
                for (int k = 0; k < got.length; k++) {
                    int8Mean = Math.max(int8Mean, OutputErrors.meanAbsOverRange(got[k], expected[i][k]));
                    int8Max = Math.max(int8Max, OutputErrors.maxAbsOverRange(got[k], expected[i][k]));
                }
                DetectionAgreement.Result d = DetectionAgreement.compare(spec, got, expected[i], 20);
                if (d.recall() < worstDetections.recall()) {
                    worstDetections = d;
                }
            }
        }
        String fp16Part = withFp16 ? String.format("fp16 %.2f MB (x%.3f) max rel err %.1e", fp16.sizeBytes() / 1e6,
                (double) fp16.sizeBytes() / fp32.sizeBytes(), fp16Error) : "fp16 not run";
        System.out.printf("%s: fp32 %.2f MB (export %.1f s) max rel err %.1e | %s | int8 %.2f MB (x%.3f,"
                        + " export+calibration %.1f s) mean|err|/range %.4f max %.4f, top-20 recall %.2f IoU %.3f%n",
                label, fp32.sizeBytes() / 1e6, fp32Seconds, fp32Error, fp16Part, int8.sizeBytes() / 1e6,
                (double) int8.sizeBytes() / fp32.sizeBytes(), int8Seconds, int8Mean, int8Max,
                worstDetections.recall(), worstDetections.meanIou());
        assertTrue(fp32Error < FP32_TOLERANCE, label + " fp32 error " + fp32Error);
        assertTrue(fp16Error < FP16_TOLERANCE, label + " fp16 error " + fp16Error);
        assertTrue(int8Mean < INT8_MEAN_TOLERANCE, label + " int8 mean error " + int8Mean);
        assertTrue(worstDetections.recall() >= 0.7 && worstDetections.meanIou() > 0.8,
                label + " int8 detections disagree: " + worstDetections);
        if (withFp16) {
            double half = (double) fp16.sizeBytes() / fp32.sizeBytes();
            assertTrue(half > 0.45 && half < 0.55, label + " fp16/fp32 size " + half);
        }
        double quarter = (double) int8.sizeBytes() / fp32.sizeBytes();
        assertTrue(quarter > 0.2 && quarter < 0.3, label + " int8/fp32 size " + quarter);
    }

    private static double maxRelative(ExportedTflite model, float[][] inputs, float[][][] expected) {
        double worst = 0;
        try (TfliteRunner runner = TfliteRunner.load(model.model(), 2, TfliteRunner.Delegates.DEFAULT)) {
            for (int i = 0; i < inputs.length; i++) {
                worst = Math.max(worst, OutputErrors.maxRelative(runner.run(inputs[i]), expected[i]));
            }
        }
        return worst;
    }
}
