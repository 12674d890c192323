package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.image.ImageLoader;
import dev.edgeslim.detector.image.RgbImage;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.model.YoloHeads;
import dev.edgeslim.detector.postprocess.Detection;
import dev.edgeslim.detector.postprocess.Detector;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import dev.edgeslim.detector.postprocess.RawModel;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_dnn.blobFromImage;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The darknet-trained Yolo-Fastest 1.1 body model as shipped (reference/models/yolo-fastest-body) detects on its
 * photo what OpenCV DNN detects, the way a darknet user runs it there ({@code blobFromImage} plain resize, score =
 * objectness × class probability, per-class NMS 0.45): every OpenCV detection ≥ 0.5 has an EdgeSlim detection of
 * the same class with IoU ≥ 0.9 and a score within 0.01, in TF Java and in the TFLite fp32 export; the int8 export
 * within IoU ≥ 0.85 and 0.05 (int8 steps of the calibrated ranges move a box edge by a pixel or two and the
 * objectness logit by a few hundredths). A {@code letter_box=1} variant with seeded random weights checks
 * EdgeSlim's letterbox geometry against darknet's: OpenCV is fed an image letterboxed as darknet's
 * {@code letterbox_image} does and its boxes are mapped back as {@code correct_yolo_boxes} does.
 */
class YoloFastestBodyTest {
    private static final Path MODEL = ReferenceFiles.model("yolo-fastest-body");
    private static final Path CFG = MODEL.resolve("yolo-fastest-1.1_body.cfg");
    private static final Path WEIGHTS = MODEL.resolve("yolo-fastest-1.1_body.weights");
    private static final Path PHOTO = MODEL.resolve("person.jpg");
    private static final float NMS = 0.45f;
    private static final int THREADS = 2;

    @Test
    void detectsOnItsPhotoWhatOpenCvDetects() throws Exception {
        NetworkSpec spec = CfgParser.parse(CFG);
        assertEquals(ResizeMode.STRETCH, spec.net().resizeMode(), "the cfg has no letter_box: darknet stretches");
        WeightStore weights = DarknetWeights.read(WEIGHTS, spec);
        RgbImage photo = ImageLoader.read(PHOTO);
        List<OpenCvDarknetDetections.Box> reference;
        try (OpenCvDarknetDetections cv = new OpenCvDarknetDetections(CFG, WEIGHTS); Mat bgr = photo.toBgrMat()) {
            reference = cv.detectStretched(bgr, spec.net().width(), spec.net().height(), 0.5f, NMS);
        }
        assertFalse(reference.isEmpty(), "OpenCV finds the person");

        try (InferenceModel tf = InferenceModel.create(spec, weights, THREADS)) {
            assertMatch("TF Java", reference, detect(spec, tf, photo), 0.9, 0.01);
        }
        ExportedTflite fp32 = TfliteExporter.export(spec, weights, ExportOptions.fp32());
        try (TfliteRunner runner = TfliteRunner.load(fp32.model(), THREADS, TfliteRunner.Delegates.XNNPACK)) {
            assertMatch("TFLite fp32", reference, detect(spec, (in, batch) -> runner.run(in), photo), 0.9, 0.01);
        }
        CalibrationSource calibration = new ImageFolderCalibration(MODEL, 1, spec.net().resizeMode());
        ExportedTflite int8 = TfliteExporter.export(spec, weights, ExportOptions.int8(calibration, 1, 100));
        try (TfliteRunner runner = TfliteRunner.load(int8.model(), THREADS, TfliteRunner.Delegates.XNNPACK)) {
            assertMatch("TFLite int8", reference, detect(spec, (in, batch) -> runner.run(in), photo), 0.85, 0.05);
        }
    }

    @Test
    void letterboxGeometryEqualsDarknets(@TempDir Path dir) throws IOException {
        String text = Files.readString(CFG).replaceFirst("\\[net\\]\n", "[net]\nletter_box=1\n");
        Path cfg = Files.writeString(dir.resolve("letterbox.cfg"), text);
        NetworkSpec spec = CfgParser.parse(cfg);
        assertEquals(ResizeMode.LETTERBOX, spec.net().resizeMode());
        WeightStore weights = plausibleHeads(spec, WeightInitializer.forTesting(spec, 41), photo(spec));
        Path weightsFile = dir.resolve("letterbox.weights");
        DarknetWeights.write(weights, spec, weightsFile);
        RgbImage photo = ImageLoader.read(PHOTO);
        int netW = spec.net().width();
        int netH = spec.net().height();
        int iw = photo.width();
        int ih = photo.height();
        // darknet letterbox_image: the limiting side fills the input, the other is truncated, placed at (net - new) / 2
        int newW;
        int newH;
        if ((double) netW / iw < (double) netH / ih) {
            newW = netW;
            newH = ih * netW / iw;
        } else {
            newH = netH;
            newW = iw * netH / ih;
        }
        assertTrue(newW != netW || newH != netH, "the photo is not square, so letterboxing shows");
        List<OpenCvDarknetDetections.Box> reference;
        try (OpenCvDarknetDetections cv = new OpenCvDarknetDetections(cfg, weightsFile); Mat bgr = photo.toBgrMat();
             Mat scaled = new Mat(); Mat resized = new Mat();
             Mat canvas = new Mat(netH, netW, CV_32FC3, new Scalar(0.5, 0.5, 0.5, 0))) {
            bgr.convertTo(scaled, CV_32FC3, 1 / 255.0, 0);
            resize(scaled, resized, new Size(newW, newH), 0, 0, INTER_LINEAR);
            try (Mat roi = canvas.apply(new Rect((netW - newW) / 2, (netH - newH) / 2, newW, newH))) {
                resized.copyTo(roi);
            }
            Mat blob = blobFromImage(canvas, 1.0, new Size(netW, netH), new Scalar(0.0), true, false, CV_32F);
            // correct_yolo_boxes: the offset (net - new) / 2 in floating point, then scaled by new / net
            double dx = (netW - newW) / 2.0 / netW;
            double dy = (netH - newH) / 2.0 / netH;
            double sx = (double) newW / netW;
            double sy = (double) newH / netH;
            reference = cv.detect(blob, 0.5f, NMS, (cx, cy, w, h) -> {
                double x = (cx - dx) / sx;
                double y = (cy - dy) / sy;
                double bw = w / sx;
                double bh = h / sy;
                // EdgeSlim clips boxes to the image, as darknet's draw_detections does
                return new double[]{clip((x - bw / 2) * iw, iw), clip((y - bh / 2) * ih, ih),
                        clip((x + bw / 2) * iw, iw), clip((y + bh / 2) * ih, ih)};
            });
        }
        assertFalse(reference.isEmpty(), "random weights still give detections above 0.5");
        try (InferenceModel tf = InferenceModel.create(spec, weights, THREADS)) {
            assertMatch("letterbox, TF Java", reference, detect(spec, tf, photo), 0.9, 0.01);
        }
    }

    private static double clip(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static float[] photo(NetworkSpec spec) {
        return new ImageFolderCalibration(MODEL, 1, spec.net().resizeMode()).image(0, spec.net().width(),
                spec.net().height());
    }

    /**
     * Seeded random weights give head logits of arbitrary scale (boxes thousands of pixels wide, every score 0 or
     * 1). Each head channel is rescaled to a spread of 1.5 around a centre that gives anchor-sized boxes,
     * objectness mostly low and class probability around 0.9, so a few dozen scores pass 0.5 and boxes vary.
     */
    private static WeightStore plausibleHeads(NetworkSpec spec, WeightStore weights, float[] image) {
        float[][] heads;
        try (InferenceModel tf = InferenceModel.create(spec, weights, THREADS)) {
            heads = tf.run(image, 1);
        }
        WeightStore out = weights;
        int perAnchor = 5 + spec.classes();
        for (int h = 0; h < heads.length; h++) {
            int conv = spec.inputsOf(spec.yoloLayers().get(h)).get(0);
            dev.edgeslim.detector.weights.ConvWeights w = out.conv(conv).copy();
            int filters = w.filters();
            int perFilter = w.weights().length / filters;
            for (int c = 0; c < filters; c++) {
                double sum = 0;
                double sq = 0;
                int n = heads[h].length / filters;
                for (int p = 0; p < n; p++) {
                    double v = heads[h][p * filters + c];
                    sum += v;
                    sq += v * v;
                }
                double mean = sum / n;
                double std = Math.sqrt(Math.max(1e-12, sq / n - mean * mean));
                double k = 1.5 / std;
                int field = c % perAnchor;
                double centre = field == 4 ? -1.5 : field >= 5 ? 2.2 : 0;
                for (int i = 0; i < perFilter; i++) {
                    w.weights()[c * perFilter + i] *= (float) k;
                }
                w.biases()[c] = (float) (centre - (mean - w.biases()[c]) * k);
            }
            out = out.with(conv, w);
        }
        return out;
    }

    private static List<Detection> detect(NetworkSpec spec, RawModel model, RgbImage photo) {
        Detector detector = new Detector(model, YoloHeads.of(spec), spec.net().resizeMode(),
                new DetectorOptions(0.25f, NMS, 0, false, false)); // no cap on the count: compare them all
        return detector.detect(photo.rgb(), photo.width(), photo.height());
    }

    private static void assertMatch(String label, List<OpenCvDarknetDetections.Box> reference, List<Detection> ours,
                                    double minIou, double maxScoreGap) {
        double worstIou = 1;
        double worstGap = 0;
        for (OpenCvDarknetDetections.Box r : reference) {
            Detection best = null;
            double bestIou = -1;
            for (Detection d : ours) {
                double iou = r.iou(d.x1(), d.y1(), d.x2(), d.y2());
                if (d.classId() == r.classId() && iou > bestIou) {
                    best = d;
                    bestIou = iou;
                }
            }
            if (best == null || bestIou < minIou) {
                System.out.println(label + ": " + ours.size() + " EdgeSlim detections, " + reference.size()
                        + " OpenCV; unmatched " + r + ", best " + best);
            }
            assertTrue(best != null, label + ": no detection of class " + r.classId() + " for " + r);
            worstIou = Math.min(worstIou, bestIou);
            worstGap = Math.max(worstGap, Math.abs(best.score() - r.score()));
            assertTrue(bestIou >= minIou, label + ": IoU " + bestIou + " with " + r);
            assertTrue(Math.abs(best.score() - r.score()) <= maxScoreGap,
                    label + ": score " + best.score() + " vs OpenCV " + r.score());
        }
        System.out.printf(Locale.ROOT, "%s: %d OpenCV detections >= 0.5 (best %.3f), worst IoU %.4f, worst score gap "
                + "%.4f%n", label, reference.size(), reference.get(0).score(), worstIou, worstGap);
    }
}
