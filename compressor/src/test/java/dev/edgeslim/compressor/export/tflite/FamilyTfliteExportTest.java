package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scaled-YOLOv4 and YOLOv7 from darknet's cfg folder exported at fp32, fp16 and int8 and run by the TFLite runtime
 * with the XNNPACK delegate, against the TF Java inference graph of the same seeded weights: each export is one
 * XNNPACK node; on the demo app's street photos, fp32 within 1e-5 (|a − b| / max(1, |b|)), fp16 within 1e-2, int8
 * (calibrated on the same photos) within the usual mean error, its top-20 boxes (new_coords decoding) at a mean IoU
 * of at least 0.9 with TF's. Random weights leave the scores of many boxes nearly tied, so the rank order within
 * the top 40 is printed, not asserted.
 */
class FamilyTfliteExportTest {
    static final double FP32_TOLERANCE = 1e-5;
    static final double INT8_MIN_IOU = 0.9;

    @ParameterizedTest(name = "{0} @{1}")
    @CsvSource({"yolov4-csp.cfg, 256", "yolov7-tiny.cfg, 320"})
    void exportsRunAsOneXnnpackNodeAndMatchTensorFlow(String cfg, int size) {
        NetworkSpec spec = TfliteUpstreamCfgTest.upstream(cfg, size);
        WeightStore weights = WeightInitializer.forTesting(spec, 19);
        ImageFolderCalibration photos = SamplePhotos.fitted(spec.net().resizeMode());
        ExportedTflite fp32 = TfliteExporter.export(spec, weights, ExportOptions.fp32());
        ExportedTflite fp16 = TfliteExporter.export(spec, weights, ExportOptions.fp16());
        ExportedTflite int8 = TfliteExporter.export(spec, weights,
                ExportOptions.int8(photos, photos.size(), 100));
        double fp32Error = 0;
        double fp16Error = 0;
        double int8Mean = 0;
        double worstIou = 1;
        double worstRecall = 1;
        try (InferenceModel tf = InferenceModel.create(spec, weights, 2);
             TfliteRunner f = TfliteRunner.load(fp32.model(), 2, TfliteRunner.Delegates.XNNPACK);
             TfliteRunner h = TfliteRunner.load(fp16.model(), 2, TfliteRunner.Delegates.XNNPACK);
             TfliteRunner q = TfliteRunner.load(int8.model(), 2, TfliteRunner.Delegates.XNNPACK)) {
            assertEquals(1, f.executionPlanSize(), cfg + " fp32: XNNPACK left operators out");
            assertEquals(1, h.executionPlanSize(), cfg + " fp16: XNNPACK left operators out");
            assertEquals(1, q.executionPlanSize(), cfg + " int8: XNNPACK left operators out");
            for (int i = 0; i < photos.size(); i++) {
                float[] image = photos.image(i, size, size);
                float[][] expected = tf.run(image, 1);
                fp32Error = Math.max(fp32Error, OutputErrors.maxRelative(f.run(image), expected));
                fp16Error = Math.max(fp16Error, OutputErrors.maxRelative(h.run(image), expected));
                float[][] got = q.run(image);
                for (int k = 0; k < got.length; k++) {
                    int8Mean = Math.max(int8Mean, OutputErrors.meanAbsOverRange(got[k], expected[k]));
                }
                DetectionAgreement.Result d = DetectionAgreement.compare(spec, got, expected, 20);
                worstIou = Math.min(worstIou, d.meanIou());
                worstRecall = Math.min(worstRecall, d.recall());
            }
        }
        System.out.printf("%s @%d on XNNPACK vs TF Java: fp32 %.2f MB max rel err %.1e | fp16 max rel err %.1e | int8 "
                        + "%.2f MB mean|err|/range %.4f, top-20 mean IoU %.3f (recall in top-40 %.2f)%n", cfg, size, fp32.sizeBytes() / 1e6,
                fp32Error, fp16Error, int8.sizeBytes() / 1e6, int8Mean, worstIou, worstRecall);
        assertTrue(fp32Error <= FP32_TOLERANCE, cfg + " fp32 error " + fp32Error);
        assertTrue(fp16Error < PrecisionCheck.FP16_TOLERANCE, cfg + " fp16 error " + fp16Error);
        assertTrue(int8Mean < PrecisionCheck.INT8_MEAN_TOLERANCE, cfg + " int8 mean error " + int8Mean);
        assertTrue(worstIou >= INT8_MIN_IOU, cfg + " int8 top-20 IoU " + worstIou);
    }
}
