package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.builtin.BuiltinModels;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Mish network with upsampling (the width-scaled YOLOv4: Mish in the whole backbone, two upsamples in the neck)
 * runs on the XNNPACK delegate as one node, in fp32 and in int8 with int8 or float I/O, and stays within each
 * precision's tolerance of the TF Java graph. Before Mish and upsampling were written with ops XNNPACK takes, 144
 * of 694 fp32 nodes and 288 of 406 int8 nodes stayed outside the delegate.
 */
class XnnpackMishTest {
    private static final int SIZE = 128;

    @Test
    void xnnpackTakesMishNetworksWholeInEveryPrecision() {
        NetworkSpec spec = BuiltinModels.byName("yolov4-w0.25", 3, SIZE);
        WeightStore weights = WeightInitializer.forTesting(spec, 8);
        assertTrue(spec.layers().stream().anyMatch(l -> l instanceof UpsampleLayer));
        ExportOptions int8 = ExportOptions.int8(new SyntheticImages(31, 4), 4, 100);
        ExportedTflite[] models = {TfliteExporter.export(spec, weights, ExportOptions.fp32()),
                TfliteExporter.export(spec, weights, int8), TfliteExporter.export(spec, weights, int8.withFloatIo(true))};
        String[] labels = {"fp32", "int8", "int8 float I/O"};
        float[] image = new SyntheticImages(505, 1).image(0, SIZE, SIZE);
        try (InferenceModel tf = InferenceModel.create(spec, weights, 2)) {
            float[][] expected = tf.run(image, 1);
            for (int m = 0; m < models.length; m++) {
                try (TfliteRunner runner = TfliteRunner.load(models[m].model(), 2, TfliteRunner.Delegates.XNNPACK)) {
                    System.out.printf("yolov4-w0.25 @%d %s on XNNPACK: execution plan %d nodes of %d operators%n",
                            SIZE, labels[m], runner.executionPlanSize(), runner.operatorCount());
                    assertEquals(1, runner.executionPlanSize(), labels[m] + ": XNNPACK left "
                            + (runner.executionPlanSize() - 1) + " of " + runner.operatorCount() + " operators out");
                    float[][] got = runner.run(image);
                    if (m == 0) {
                        double err = OutputErrors.maxRelative(got, expected);
                        assertTrue(err < PrecisionCheck.FP32_TOLERANCE, "fp32 on XNNPACK vs TF Java " + err);
                        continue;
                    }
                    for (int k = 0; k < got.length; k++) {
                        double mean = OutputErrors.meanAbsOverRange(got[k], expected[k]);
                        assertTrue(mean < PrecisionCheck.INT8_MEAN_TOLERANCE, labels[m] + " head " + k + " " + mean);
                    }
                    DetectionAgreement.Result d = DetectionAgreement.compare(spec, got, expected, 20);
                    assertTrue(d.recall() >= 0.7 && d.meanIou() > 0.8, labels[m] + " detections disagree: " + d);
                }
            }
        }
    }
}
