package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.Arrays;

/**
 * Not a test: a short latency measurement of yolov4-tiny @416 exports with 2 threads, run on demand with
 * {@code -Dedgeslim.bench=true}. Medians after warm-up, every configuration in the same JVM run.
 */
@EnabledIfSystemProperty(named = "edgeslim.bench", matches = "true")
class TfliteLatencyBench {
    private static final int WARMUP = 3;
    private static final int RUNS = 15;

    @Test
    void yolov4Tiny416() {
        NetworkSpec spec = TfliteUpstreamCfgTest.upstream("yolov4-tiny.cfg", 416);
        WeightStore weights = WeightInitializer.forTesting(spec, 3);
        ExportedTflite fp32 = TfliteExporter.export(spec, weights, ExportOptions.fp32());
        ExportedTflite fp16 = TfliteExporter.export(spec, weights, ExportOptions.fp16());
        ExportedTflite int8 = TfliteExporter.export(spec, weights,
                ExportOptions.int8(new SyntheticImages(9, 8), 8, 100));
        float[] image = new SyntheticImages(1, 1).image(0, 416, 416);
        System.out.printf("yolov4-tiny @416 sizes: fp32 %.2f MB, fp16 %.2f MB, int8 %.2f MB%n",
                fp32.sizeBytes() / 1e6, fp16.sizeBytes() / 1e6, int8.sizeBytes() / 1e6);
        for (int round = 0; round < 1; round++) {
            for (TfliteRunner.Delegates d : TfliteRunner.Delegates.values()) {
                report("fp32", fp32, d, image);
                report("fp16", fp16, d, image);
                report("int8", int8, d, image);
            }
        }
    }

    private static void report(String label, ExportedTflite model, TfliteRunner.Delegates delegates, float[] image) {
        try (TfliteRunner runner = TfliteRunner.load(model.model(), 2, delegates)) {
            for (int i = 0; i < WARMUP; i++) {
                runner.run(image);
            }
            double[] ms = new double[RUNS];
            for (int i = 0; i < RUNS; i++) {
                long t = System.nanoTime();
                runner.run(image);
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf("%s %-7s median %.1f ms (min %.1f, max %.1f), %d of %d nodes after delegation%n", label,
                    delegates, ms[RUNS / 2], ms[0], ms[RUNS - 1], runner.executionPlanSize(), runner.operatorCount());
        }
    }
}
