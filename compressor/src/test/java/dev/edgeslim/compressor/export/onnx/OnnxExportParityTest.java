package dev.edgeslim.compressor.export.onnx;

import dev.edgeslim.compressor.export.tflite.DetectionAgreement;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.ImageFolderCalibration;
import dev.edgeslim.compressor.export.tflite.OutputErrors;
import dev.edgeslim.compressor.export.tflite.SamplePhotos;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.prune.GroupPlanner;
import dev.edgeslim.compressor.prune.ModelSurgeon;
import dev.edgeslim.compressor.prune.PlanRule;
import dev.edgeslim.compressor.prune.PruneFixtures;
import dev.edgeslim.compressor.prune.PrunedNetwork;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX exports of the upstream cfgs (reference/cfg) and of a pruned yolov4, with seeded weights, run by ONNX
 * Runtime (all graph optimisations) on the demo app's street photos against the TF Java inference graph of the same
 * weights: fp32 within 1e-5 (|a − b| / max(1, |b|)), fp16 within 1e-2, int8 (QDQ, calibrated on the same photos)
 * matching the reference's top-20 boxes with mean IoU ≥ 0.9. Every file is also walked for dangling or undefined
 * tensors and must declare exactly the requested opset.
 */
class OnnxExportParityTest {
    static final double FP32_TOLERANCE = 1e-5;
    static final double FP16_TOLERANCE = 1e-2;
    static final double INT8_MIN_IOU = 0.9;

    static NetworkSpec upstream(String name, int size) {
        return CfgParser.parse(ReferenceFiles.cfg(name)).withInputSize(size, size);
    }

    @Test
    void yolov4Tiny() throws Exception {
        NetworkSpec spec = upstream("yolov4-tiny.cfg", 416);
        check("yolov4-tiny @416", spec, WeightInitializer.forTesting(spec, 3));
    }

    @Test
    void yolov3Tiny() throws Exception {
        NetworkSpec spec = upstream("yolov3-tiny.cfg", 320);
        check("yolov3-tiny @320", spec, WeightInitializer.forTesting(spec, 5));
    }

    @Test
    void yolov4() throws Exception {
        NetworkSpec spec = upstream("yolov4.cfg", 160);
        check("yolov4 @160", spec, WeightInitializer.forTesting(spec, 7));
    }

    /** Scaled-YOLOv4: Mish CSP blocks, SPP, and new_coords heads (no exp; the decode squares a sigmoid). */
    @Test
    void yolov4Csp() throws Exception {
        NetworkSpec spec = upstream("yolov4-csp.cfg", 160);
        check("yolov4-csp @160", spec, WeightInitializer.forTesting(spec, 11));
    }

    /** The darknet-trained depthwise model as shipped: every depthwise layer is one Conv with group = channels. */
    @Test
    void yoloFastestBody() throws Exception {
        java.nio.file.Path dir = dev.edgeslim.detector.ReferenceFiles.model("yolo-fastest-body");
        NetworkSpec spec = CfgParser.parse(dir.resolve("yolo-fastest-1.1_body.cfg"));
        WeightStore weights = dev.edgeslim.detector.weights.DarknetWeights.read(
                dir.resolve("yolo-fastest-1.1_body.weights"), spec);
        ExportedOnnx fp32 = export(spec, weights, ExportOptions.fp32());
        long convs = OnnxFileStructure.read(fp32.model()).nodes.stream().filter(n -> n.opType().equals("Conv")).count();
        assertEquals(spec.convLayers().size(), convs, "one Conv node per convolution");
        ImageFolderCalibration photos = SamplePhotos.fitted(spec.net().resizeMode());
        float[][] images = new float[photos.size()][];
        float[][][] expected = new float[photos.size()][][];
        try (InferenceModel tf = InferenceModel.create(spec, weights, 2)) {
            for (int i = 0; i < images.length; i++) {
                images[i] = photos.image(i, spec.net().width(), spec.net().height());
                expected[i] = tf.run(images[i], 1);
            }
        }
        // trained logits (RMS ~7) through 131 layers: float32 summation order shows up at 1e-5
        double error = maxRelative(fp32, images, expected);
        System.out.printf(Locale.ROOT, "yolo-fastest-1.1 body @320 ONNX fp32 vs TF Java: max rel %.1e%n", error);
        assertTrue(error <= 1e-4, "fp32 error " + error);
    }

    /** A grouped convolution that is not depthwise is one Conv node with its group attribute. */
    @Test
    void groupedConvolutions() throws Exception {
        NetworkSpec spec = CfgParser.parse("""
                [net]
                width=64
                height=64
                channels=3

                [convolutional]
                batch_normalize=1
                filters=16
                size=3
                stride=2
                pad=1
                activation=leaky

                [convolutional]
                batch_normalize=1
                filters=32
                size=3
                stride=2
                pad=1
                groups=4
                activation=leaky

                [convolutional]
                batch_normalize=1
                filters=32
                size=3
                stride=1
                pad=1
                groups=32
                activation=relu

                [convolutional]
                batch_normalize=1
                filters=32
                size=1
                groups=2
                activation=linear

                [convolutional]
                filters=75
                size=1
                activation=linear

                [yolo]
                mask=0,1,2
                anchors=8,8, 16,16, 32,32
                classes=20
                num=3
                """, "grouped.cfg");
        ExportedOnnx fp32 = export(spec, WeightInitializer.forTesting(spec, 9), ExportOptions.fp32());
        assertEquals(List.of(), OnnxFileStructure.read(fp32.model()).nodes.stream()
                .filter(n -> n.opType().equals("Split") || n.opType().equals("Concat")).map(n -> n.opType()).toList(), "no split per group");
        check("grouped and depthwise @64", spec, WeightInitializer.forTesting(spec, 9));
    }

    @Test
    void prunedYolov4() throws Exception {
        NetworkSpec original = upstream("yolov4.cfg", 160);
        WeightStore store = PruneFixtures.sparseGammas(original, 23);
        GroupPlanner planner = GroupPlanner.automatic(original, GroupOptions.ratio(0.5), PlanRule.UNION);
        PrunedNetwork pruned = ModelSurgeon.prune(planner.graph(), store, planner.plan(store));
        assertTrue(pruned.spec().totalParams() < 0.7 * original.totalParams(), "channels were removed");
        check("pruned yolov4 @160 (" + pruned.spec().totalParams() + " params)", pruned.spec(), pruned.weights());
    }

    static void check(String label, NetworkSpec spec, WeightStore weights) throws Exception {
        ImageFolderCalibration photos = SamplePhotos.fitted(spec.net().resizeMode());
        int w = spec.net().width();
        int h = spec.net().height();
        float[][] images = new float[photos.size()][];
        float[][][] expected = new float[photos.size()][][];
        try (InferenceModel tf = InferenceModel.create(spec, weights, 2)) {
            for (int i = 0; i < images.length; i++) {
                images[i] = photos.image(i, w, h);
                expected[i] = tf.run(images[i], 1);
            }
        }
        ExportOptions int8Options = ExportOptions.int8(photos, photos.size(), 100);
        double fp32 = maxRelative(export(spec, weights, ExportOptions.fp32()), images, expected);
        double fp16 = maxRelative(export(spec, weights, ExportOptions.fp16()), images, expected);
        double worstIou = 1;
        double worstRecall = 1;
        try (OnnxRunner runner = OnnxRunner.load(export(spec, weights, int8Options).model(), 2)) {
            for (int i = 0; i < images.length; i++) {
                DetectionAgreement.Result d = DetectionAgreement.compare(spec, runner.run(images[i]), expected[i], 20);
                worstIou = Math.min(worstIou, d.meanIou());
                worstRecall = Math.min(worstRecall, d.recall());
            }
        }
        System.out.printf(Locale.ROOT, "%s ONNX vs TF Java on %d photos: fp32 max rel %.1e, fp16 max rel %.1e, int8 "
                + "top-20 mean IoU %.3f (recall in top-40 %.2f)%n", label, images.length, fp32, fp16, worstIou,
                worstRecall);
        assertTrue(fp32 <= FP32_TOLERANCE, label + " fp32 error " + fp32);
        assertTrue(fp16 <= FP16_TOLERANCE, label + " fp16 error " + fp16);
        assertTrue(worstIou >= INT8_MIN_IOU, label + " int8 top-20 IoU " + worstIou);
    }

    /** Exports, checks the file's structure and opset, returns it. */
    static ExportedOnnx export(NetworkSpec spec, WeightStore weights, ExportOptions base) throws Exception {
        ExportedOnnx model = OnnxExporter.export(spec, weights, OnnxExportOptions.of(base));
        OnnxFileStructure s = OnnxFileStructure.read(model.model());
        assertEquals(List.of(), s.problems(), base.precision() + " graph walk");
        assertEquals(java.util.Map.of("", (long) OnnxExportOptions.DEFAULT_OPSET), s.opsets, "one opset");
        assertEquals(List.of("input"), s.inputs);
        assertEquals(spec.yoloLayers().size(), s.outputs.size());
        assertEquals(Integer.toString(spec.classes()), s.metadata.get("classes"));
        return model;
    }

    private static double maxRelative(ExportedOnnx model, float[][] images, float[][][] expected) {
        double worst = 0;
        try (OnnxRunner runner = OnnxRunner.load(model.model(), 2)) {
            for (int i = 0; i < images.length; i++) {
                worst = Math.max(worst, OutputErrors.maxRelative(runner.run(images[i]), expected[i]));
            }
        }
        return worst;
    }
}
