package dev.edgeslim.detector.inference;

import dev.edgeslim.detector.data.Augmenter;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.data.VocObject;
import dev.edgeslim.detector.data.VocSample;
import dev.edgeslim.detector.eval.EvalResult;
import dev.edgeslim.detector.eval.GroundTruth;
import dev.edgeslim.detector.eval.ScoredDetection;
import dev.edgeslim.detector.eval.VocEvaluator;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.model.YoloHeads;
import dev.edgeslim.detector.postprocess.Detection;
import dev.edgeslim.detector.postprocess.Detector;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import dev.edgeslim.detector.postprocess.InputTransform;
import dev.edgeslim.detector.postprocess.RawModel;
import dev.edgeslim.detector.postprocess.YoloHead;
import org.bytedeco.opencv.opencv_core.Mat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Runs a detector over a VOC split and scores it the PASCAL VOC way. Images are letterboxed exactly as in training
 * evaluation, raw head outputs decoded and NMS'd by the shared post-processing, and boxes converted from
 * continuous 0-based pixel edges to VOC's 1-based inclusive coordinates (x1+1, x2) before scoring.
 */
public final class DatasetEvaluation {
    /** Low confidence threshold for mAP: the PR curve needs the low-score tail too. */
    public static final float EVAL_CONFIDENCE = 0.005f;

    /** All detections of a run plus the scored result. */
    public record Outcome(EvalResult result, List<ScoredDetection> detections, List<GroundTruth> groundTruth,
                          int images, double seconds) {
    }

    private DatasetEvaluation() {
    }

    public static DetectorOptions evaluationOptions() {
        return DetectorOptions.defaults().withConfThreshold(EVAL_CONFIDENCE).withMaxDetections(300);
    }

    /**
     * Evaluates {@code model} (whose heads are described by {@code spec}) on {@code dataset}, {@code batchSize}
     * images at a time; {@code progress} receives the number of images done.
     */
    public static Outcome evaluate(RawModel model, NetworkSpec spec, VocDataset dataset, int batchSize,
                                   DetectorOptions options, IntConsumer progress) {
        return evaluate(model, spec, spec.net().resizeMode(), dataset, batchSize, options, progress);
    }

    /**
     * As above with the images fitted by {@code resizeMode} instead of the model's own (to measure what feeding a
     * model the other transform costs).
     */
    public static Outcome evaluate(RawModel model, NetworkSpec spec, ResizeMode resizeMode, VocDataset dataset,
                                   int batchSize, DetectorOptions options, IntConsumer progress) {
        int netW = spec.net().width();
        int netH = spec.net().height();
        int c = spec.net().channels();
        List<YoloHead> heads = YoloHeads.of(spec);
        // the loop below runs the model on whole batches and uses the detector for post-processing only
        Detector detector = new Detector(model, heads, resizeMode, options, dataset.classes().names());
        List<ScoredDetection> detections = new ArrayList<>();
        List<GroundTruth> truth = new ArrayList<>();
        int n = dataset.size();
        long started = System.nanoTime();
        int per = netW * netH * c;
        for (int start = 0; start < n; start += batchSize) {
            int count = Math.min(batchSize, n - start);
            float[] images = new float[count * per];
            InputTransform[] boxes = new InputTransform[count];
            for (int k = 0; k < count; k++) {
                try (Mat bgr = dataset.readImage(start + k)) {
                    boxes[k] = Augmenter.fit(bgr, resizeMode, netW, netH, images, k * per);
                }
            }
            float[][] outputs = model.run(images, count);
            for (int k = 0; k < count; k++) {
                VocSample sample = dataset.sample(start + k);
                String id = sample.key();
                for (Detection d : detector.postprocess(slice(outputs, heads, k), boxes[k])) {
                    detections.add(toVoc(id, d));
                }
                for (VocObject o : sample.objects()) {
                    truth.add(new GroundTruth(id, o.classId(), o.x1(), o.y1(), o.x2(), o.y2(), o.difficult()));
                }
            }
            if (progress != null) {
                progress.accept(start + count);
            }
        }
        EvalResult result = new VocEvaluator(dataset.classes().names()).evaluate(truth, detections);
        return new Outcome(result, detections, truth, n, (System.nanoTime() - started) / 1e9);
    }

    /**
     * A detection in VOC's 1-based inclusive pixel coordinates: continuous edges [x1, x2) cover pixels x1+1..x2;
     * a box narrower than a pixel still covers one (it must stay a valid VOC box).
     */
    static ScoredDetection toVoc(String imageId, Detection d) {
        double x1 = d.x1() + 1;
        double y1 = d.y1() + 1;
        return new ScoredDetection(imageId, d.classId(), d.score(), x1, y1, Math.max(x1, d.x2()), Math.max(y1, d.y2()));
    }

    /** The outputs of image {@code k} out of batch-major head outputs. */
    private static float[][] slice(float[][] outputs, List<YoloHead> heads, int k) {
        float[][] one = new float[outputs.length][];
        for (int h = 0; h < outputs.length; h++) {
            int len = heads.get(h).outputLength();
            one[h] = java.util.Arrays.copyOfRange(outputs[h], k * len, (k + 1) * len);
        }
        return one;
    }
}
