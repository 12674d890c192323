package dev.edgeslim.detector.postprocess;

import dev.edgeslim.detector.model.ResizeMode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The whole detection pipeline around a {@link RawModel}: fit the image into the network input with the model's
 * {@link ResizeMode} ({@link InputTransform}), run the
 * model, decode every head, map the boxes back to original-image pixels (clipped; boxes that collapse to
 * nothing, e.g. lying in the grey border, are dropped) and apply NMS. Thread safety is the model's: this class
 * holds no mutable state.
 */
public final class Detector {
    private final RawModel model;
    private final List<YoloHead> heads;
    private final ResizeMode resizeMode;
    private final DetectorOptions options;
    private final List<String> classNames;
    private final YoloDecoder decoder;

    /**
     * @param heads      the heads in the order {@link RawModel#run} returns their outputs; all must share the
     *                   network input size and the number of classes
     * @param resizeMode how the model was trained to see images (its cfg's [net] {@code letter_box})
     * @param classNames one name per class, or null for unnamed detections
     */
    public Detector(RawModel model, List<YoloHead> heads, ResizeMode resizeMode, DetectorOptions options,
                    List<String> classNames) {
        if (model == null || options == null || resizeMode == null) {
            throw new IllegalArgumentException("model, resize mode and options are required");
        }
        if (heads == null || heads.isEmpty()) {
            throw new IllegalArgumentException("need at least one YOLO head");
        }
        YoloHead first = heads.get(0);
        for (YoloHead h : heads) {
            if (h.inputWidth() != first.inputWidth() || h.inputHeight() != first.inputHeight()
                    || h.classes() != first.classes()) {
                throw new IllegalArgumentException("heads disagree on input size or classes: " + first + " vs " + h);
            }
        }
        if (classNames != null && classNames.size() != first.classes()) {
            throw new IllegalArgumentException(classNames.size() + " class names given for a model with "
                    + first.classes() + " classes");
        }
        this.model = model;
        this.resizeMode = resizeMode;
        this.heads = Collections.unmodifiableList(new ArrayList<YoloHead>(heads));
        this.options = options;
        this.classNames = classNames == null ? null
                : Collections.unmodifiableList(new ArrayList<String>(classNames));
        this.decoder = new YoloDecoder(options.confThreshold(), options.bestClassOnly());
    }

    public Detector(RawModel model, List<YoloHead> heads, ResizeMode resizeMode, DetectorOptions options) {
        this(model, heads, resizeMode, options, null);
    }

    public ResizeMode resizeMode() {
        return resizeMode;
    }

    /** The input geometry for an image of {@code width x height}. */
    public InputTransform transformFor(int width, int height) {
        return InputTransform.of(resizeMode, width, height, inputWidth(), inputHeight());
    }

    public List<YoloHead> heads() {
        return heads;
    }

    public DetectorOptions options() {
        return options;
    }

    /** Class names, or null. */
    public List<String> classNames() {
        return classNames;
    }

    public int inputWidth() {
        return heads.get(0).inputWidth();
    }

    public int inputHeight() {
        return heads.get(0).inputHeight();
    }

    /** Detects objects in interleaved RGB bytes; boxes in pixels of this image. */
    public List<Detection> detect(byte[] rgb, int width, int height) {
        InputTransform box = transformFor(width, height);
        return postprocess(model.run(box.toTensor(rgb)), box);
    }

    /** Detects objects in ARGB ints (Android {@code Bitmap.getPixels}, stride = width). */
    public List<Detection> detect(int[] argb, int width, int height) {
        InputTransform box = transformFor(width, height);
        return postprocess(model.run(box.toTensor(argb)), box);
    }

    /**
     * The steps after the model, for callers that run the network themselves (e.g. batched evaluation):
     * decode each head's output, map to image pixels through {@code transform}, attach names, NMS.
     */
    public List<Detection> postprocess(float[][] headOutputs, InputTransform transform) {
        if (headOutputs == null || headOutputs.length != heads.size()) {
            throw new IllegalStateException("model returned " + (headOutputs == null ? "nothing" : headOutputs.length
                    + " outputs") + " but the detector has " + heads.size() + " heads");
        }
        if (transform.netWidth() != inputWidth() || transform.netHeight() != inputHeight()
                || transform.mode() != resizeMode) {
            throw new IllegalArgumentException(transform + " does not match the network input "
                    + inputWidth() + "x" + inputHeight() + " (" + resizeMode.label() + ")");
        }
        List<Detection> candidates = new ArrayList<Detection>();
        for (int i = 0; i < heads.size(); i++) {
            YoloHead head = heads.get(i);
            if (headOutputs[i] == null || headOutputs[i].length != head.outputLength()) {
                throw new IllegalStateException("output " + i + " has " + (headOutputs[i] == null ? 0
                        : headOutputs[i].length) + " values, head " + head + " expects " + head.outputLength());
            }
            List<Detection> decoded = new ArrayList<Detection>();
            decoder.decode(head, headOutputs[i], 0, decoded);
            for (Detection d : decoded) {
                Detection mapped = transform.toImage(d);
                if (mapped.area() > 0f) {
                    candidates.add(classNames == null ? mapped : mapped.withClassName(classNames.get(d.classId())));
                }
            }
        }
        return options.classAgnosticNms()
                ? Nms.classAgnostic(candidates, options.iouThreshold(), options.maxDetections())
                : Nms.perClass(candidates, options.iouThreshold(), options.maxDetections());
    }
}
