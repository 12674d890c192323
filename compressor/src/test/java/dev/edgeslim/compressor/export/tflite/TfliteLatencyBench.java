package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.compressor.bench.LatencyBenchmark;
import dev.edgeslim.compressor.bench.LatencyStats;
import dev.edgeslim.compressor.bench.TimedModel;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Not part of the test suite (the name does not match surefire's patterns, and it needs
 * {@code -Dedgeslim.bench=true}): yolov4-tiny @416, 2 threads, TF Java vs TFLite fp32/fp16/int8 with the explicit
 * XNNPACK delegate (float and int8), TFLite's builtin resolver (XNNPACK for float only) and no delegate, interleaved in one run ({@link LatencyBenchmark}). Run with
 * {@code mvn -o -pl compressor -am test -Dtest=TfliteLatencyBench -Dedgeslim.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "edgeslim.bench", matches = "true")
class TfliteLatencyBench {

    @Test
    void yolov4Tiny416() {
        NetworkSpec spec = TfliteUpstreamCfgTest.upstream("yolov4-tiny.cfg", 416);
        WeightStore weights = WeightInitializer.forTesting(spec, 3);
        ExportedTflite fp32 = TfliteExporter.export(spec, weights, ExportOptions.fp32());
        ExportedTflite fp16 = TfliteExporter.export(spec, weights, ExportOptions.fp16());
        ExportedTflite int8 = TfliteExporter.export(spec, weights,
                ExportOptions.int8(new SyntheticImages(9, 8), 8, 100));
        System.out.printf("yolov4-tiny @416 sizes: fp32 %.2f MB, fp16 %.2f MB, int8 %.2f MB%n",
                fp32.sizeBytes() / 1e6, fp16.sizeBytes() / 1e6, int8.sizeBytes() / 1e6);
        List<TimedModel> models = new ArrayList<>();
        models.add(TimedModel.tensorFlow(InferenceModel.create(spec, weights, 2)));
        for (TfliteRunner.Delegates d : TfliteRunner.Delegates.values()) {
            String suffix = switch (d) {
                case XNNPACK -> "";
                case DEFAULT -> "-builtin";
                case NONE -> "-nodelegate";
            };
            models.add(timed("tflite-fp32" + suffix, fp32, d));
            models.add(timed("tflite-fp16" + suffix, fp16, d));
            models.add(timed("tflite-int8" + suffix, int8, d));
        }
        float[] image = new SyntheticImages(1, 1).image(0, 416, 416);
        Map<String, LatencyStats> stats = LatencyBenchmark.measure(models, image, 1, 3, 12, () -> { });
        double tf = stats.get("tensorflow-java").medianMs();
        stats.forEach((name, s) -> System.out.printf("%-24s median %6.1f ms  min %6.1f  p90 %6.1f  (x%.2f of TF Java)%n",
                name, s.medianMs(), s.minMs(), s.p90Ms(), s.medianMs() / tf));
        models.forEach(TimedModel::close);
    }

    /**
     * The width-scaled YOLOv4 (Mish in the whole backbone) at 224: fp32, int8 (float islands) and integer-only int8
     * (lookup tables, which XNNPACK leaves to TFLite's kernels), each with the XNNPACK delegate.
     */
    @Test
    void yolov4W025() {
        NetworkSpec spec = dev.edgeslim.detector.model.builtin.BuiltinModels.byName("yolov4-w0.25", 20, 224);
        WeightStore weights = WeightInitializer.forTesting(spec, 3);
        ExportedTflite fp32 = TfliteExporter.export(spec, weights, ExportOptions.fp32());
        ExportOptions int8Options = ExportOptions.int8(new SyntheticImages(9, 8), 8, 100);
        ExportedTflite int8 = TfliteExporter.export(spec, weights, int8Options);
        ExportedTflite integer = TfliteExporter.export(spec, weights, int8Options.withIntegerOnly(true));
        List<TimedModel> models = new ArrayList<>();
        models.add(TimedModel.tensorFlow(InferenceModel.create(spec, weights, 2)));
        models.add(timed("tflite-fp32", fp32, TfliteRunner.Delegates.XNNPACK));
        models.add(timed("tflite-int8", int8, TfliteRunner.Delegates.XNNPACK));
        models.add(timed("tflite-int8-integer-only", integer, TfliteRunner.Delegates.XNNPACK));
        float[] image = new SyntheticImages(1, 1).image(0, 224, 224);
        Map<String, LatencyStats> stats = LatencyBenchmark.measure(models, image, 1, 3, 20, () -> { });
        double tf = stats.get("tensorflow-java").medianMs();
        stats.forEach((name, s) -> System.out.printf("%-24s median %6.1f ms  min %6.1f  p90 %6.1f  (x%.2f of TF Java)%n",
                name, s.medianMs(), s.minMs(), s.p90Ms(), s.medianMs() / tf));
        models.forEach(TimedModel::close);
    }

    private static TimedModel timed(String name, ExportedTflite model, TfliteRunner.Delegates delegates) {
        TfliteRunner runner = TfliteRunner.load(model.model(), 2, delegates);
        System.out.printf("%s: %d of %d nodes after delegation%n", name, runner.executionPlanSize(),
                runner.operatorCount());
        return TimedModel.tflite(name, runner, model.metadata());
    }
}
