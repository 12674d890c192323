package dev.edgeslim.detector.postprocess;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns one darknet {@code [yolo]} head's raw logits into detections, the way darknet's {@code forward_yolo_layer}
 * + {@code get_yolo_detections} do (the classic, non-{@code new_coords} formulas):
 * <pre>
 *   x = (col + sigmoid(tx) * scaleXY - (scaleXY - 1) / 2) / gridW      y likewise with row, gridH
 *   w = exp(tw) * anchorW / netW                                       h = exp(th) * anchorH / netH
 *   objectness = sigmoid(to)          score(class c) = objectness * sigmoid(tc)
 * </pre>
 * and for a {@code new_coords=1} head, whose values v are already sigmoid outputs (its convolution is
 * logistic-activated and darknet's layer applies no activation):
 * <pre>
 *   x = (col + vx * scaleXY - (scaleXY - 1) / 2) / gridW               w = (2 vw)² * anchorW / netW
 *   objectness = vo                   score(class c) = objectness * vc
 * </pre>
 * The input is one image's output of the convolution feeding the {@code [yolo]} layer, flat NHWC: index
 * {@code ((row * gridW + col) * channels) + a * (5 + C) + e} with e = 0..3 box, 4 objectness, 5.. classes.
 *
 * <p>Like darknet, every class whose score reaches the threshold yields its own detection (per-class mode, the
 * default); {@code bestClassOnly} keeps only the best class of each anchor. One difference: the threshold is
 * inclusive ({@code score >= confThreshold}; darknet uses {@code >}). Boxes are in network-input pixels
 * (letterboxed frame); map them back with {@link Letterbox#toImage(Detection)}.
 *
 * <p>Quantized (int8/uint8) model outputs: dequantize first with {@link Quantization#dequantize}.
 */
public final class YoloDecoder {
    private final float confThreshold;
    private final boolean bestClassOnly;

    public YoloDecoder(float confThreshold, boolean bestClassOnly) {
        if (!(confThreshold >= 0f && confThreshold <= 1f)) {
            throw new IllegalArgumentException("confThreshold must be in [0, 1], got " + confThreshold);
        }
        this.confThreshold = confThreshold;
        this.bestClassOnly = bestClassOnly;
    }

    /** Darknet-style decoder: one detection per class at or above the threshold. */
    public YoloDecoder(float confThreshold) {
        this(confThreshold, false);
    }

    public float confThreshold() {
        return confThreshold;
    }

    public boolean bestClassOnly() {
        return bestClassOnly;
    }

    /** Decodes one image's head output ({@code logits.length == head.outputLength()}). */
    public List<Detection> decode(YoloHead head, float[] logits) {
        if (logits.length != head.outputLength()) {
            throw new IllegalArgumentException("head " + head + " expects " + head.outputLength()
                    + " values, got " + logits.length);
        }
        List<Detection> out = new ArrayList<Detection>();
        decode(head, logits, 0, out);
        return out;
    }

    /**
     * Decodes {@code head.outputLength()} values of {@code logits} starting at {@code offset} (so one image of
     * a batched output can be decoded in place) and appends the detections to {@code out}.
     */
    public void decode(YoloHead head, float[] logits, int offset, List<Detection> out) {
        if (offset < 0 || (long) offset + head.outputLength() > logits.length) {
            throw new IllegalArgumentException("head " + head + " needs " + head.outputLength()
                    + " values from offset " + offset + " but the array has " + logits.length);
        }
        int gridW = head.gridWidth();
        int gridH = head.gridHeight();
        int anchors = head.numAnchors();
        int classes = head.classes();
        int per = head.valuesPerAnchor();
        int channels = head.channels();
        float scale = head.scaleXY();
        float shift = (scale - 1f) / 2f;
        float netW = head.inputWidth();
        float netH = head.inputHeight();
        boolean newCoords = head.newCoords();
        for (int row = 0; row < gridH; row++) {
            for (int col = 0; col < gridW; col++) {
                int cell = offset + (row * gridW + col) * channels;
                for (int a = 0; a < anchors; a++) {
                    int base = cell + a * per;
                    float objectness = activated(logits[base + 4], newCoords);
                    // score = objectness * p(class) <= objectness: nothing of this anchor can pass
                    if (!(objectness >= confThreshold)) {
                        continue;
                    }
                    float cx = (col + activated(logits[base], newCoords) * scale - shift) / gridW * netW;
                    float cy = (row + activated(logits[base + 1], newCoords) * scale - shift) / gridH * netH;
                    float w = size(logits[base + 2], newCoords) * head.anchorWidth(a);
                    float h = size(logits[base + 3], newCoords) * head.anchorHeight(a);
                    float x1 = cx - w / 2f;
                    float y1 = cy - h / 2f;
                    float x2 = cx + w / 2f;
                    float y2 = cy + h / 2f;
                    if (bestClassOnly) {
                        int best = -1;
                        float bestScore = -1f;
                        for (int c = 0; c < classes; c++) {
                            float s = objectness * activated(logits[base + 5 + c], newCoords);
                            if (s > bestScore) {
                                bestScore = s;
                                best = c;
                            }
                        }
                        if (bestScore >= confThreshold) {
                            out.add(new Detection(best, bestScore, x1, y1, x2, y2));
                        }
                    } else {
                        for (int c = 0; c < classes; c++) {
                            float s = objectness * activated(logits[base + 5 + c], newCoords);
                            if (s >= confThreshold) {
                                out.add(new Detection(c, s, x1, y1, x2, y2));
                            }
                        }
                    }
                }
            }
        }
    }

    /** A classic head's value through sigmoid; a new_coords head's value is already activated. */
    private static float activated(float v, boolean newCoords) {
        return newCoords ? v : sigmoid(v);
    }

    /** Box size in anchors: exp(t), or (2v)² for new_coords. */
    private static float size(float v, boolean newCoords) {
        return newCoords ? 4f * v * v : (float) Math.exp(v);
    }

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
}
