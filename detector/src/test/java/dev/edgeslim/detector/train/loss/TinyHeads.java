package dev.edgeslim.detector.train.loss;

import dev.edgeslim.detector.model.YoloLayer;

import java.util.List;
import java.util.Map;

/**
 * A tiny two-head detector description for fast tests: 32x32 input, head 0 on a 4x4 grid (stride 8, anchors
 * 0-2), head 1 on a 2x2 grid (stride 16, anchors 3-5), 2 classes, 7 values per anchor.
 */
final class TinyHeads {
    static final int INPUT = 32;
    static final int CLASSES = 2;
    static final int VALUES = 5 + CLASSES;
    /** Anchors in input pixels: (4,4) (8,6) (6,10) | (12,12) (16,24) (28,28). */
    static final List<Double> ANCHORS = List.of(4.0, 4.0, 8.0, 6.0, 6.0, 10.0, 12.0, 12.0, 16.0, 24.0, 28.0, 28.0);

    private TinyHeads() {
    }

    static List<HeadDescription> heads(double iouThresh) {
        YoloLayer small = new YoloLayer(List.of(0, 1, 2), ANCHORS, CLASSES, 6, 1.1, 0.7, 1.0, iouThresh, Map.of());
        YoloLayer large = new YoloLayer(List.of(3, 4, 5), ANCHORS, CLASSES, 6, 1.05, 0.7, 1.0, iouThresh, Map.of());
        return List.of(new HeadDescription(small, 4, 4, INPUT, INPUT), new HeadDescription(large, 2, 2, INPUT, INPUT));
    }

    /** The same heads decoding with darknet's new_coords=1 and Scaled-YOLOv4's scale_x_y=2. */
    static List<HeadDescription> newCoordsHeads(double iouThresh) {
        YoloLayer small = new YoloLayer(List.of(0, 1, 2), ANCHORS, CLASSES, 6, 2.0, 0.7, 1.0, iouThresh, true, Map.of());
        YoloLayer large = new YoloLayer(List.of(3, 4, 5), ANCHORS, CLASSES, 6, 2.0, 0.7, 1.0, iouThresh, true, Map.of());
        return List.of(new HeadDescription(small, 4, 4, INPUT, INPUT), new HeadDescription(large, 2, 2, INPUT, INPUT));
    }

    /** Flat index of value {@code e} of anchor {@code a} at (b, y, x) in a head's NHWC logits. */
    static int logitIndex(HeadDescription head, int b, int y, int x, int a, int e) {
        return (((b * head.gridHeight() + y) * head.gridWidth() + x) * head.anchors() + a) * VALUES + e;
    }

    static float[][] emptyLogits(List<HeadDescription> heads, int batch) {
        float[][] logits = new float[heads.size()][];
        for (int h = 0; h < heads.size(); h++) {
            HeadDescription head = heads.get(h);
            logits[h] = new float[batch * head.gridHeight() * head.gridWidth() * head.channels()];
        }
        return logits;
    }

    /** Inverse of the sigmoid. */
    static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    /** Sets anchor (b,y,x,a)'s box logits so that it decodes exactly to the given box (input fractions). */
    static void setBox(float[] logits, HeadDescription head, int b, int y, int x, int a,
                       double cx, double cy, double w, double h) {
        double s = head.layer().scaleXY();
        double sx = (cx * head.gridWidth() - x + (s - 1) / 2) / s;
        double sy = (cy * head.gridHeight() - y + (s - 1) / 2) / s;
        if (!(sx > 0 && sx < 1 && sy > 0 && sy < 1)) {
            throw new IllegalArgumentException("centre not reachable from this cell");
        }
        logits[logitIndex(head, b, y, x, a, 0)] = (float) logit(sx);
        logits[logitIndex(head, b, y, x, a, 1)] = (float) logit(sy);
        logits[logitIndex(head, b, y, x, a, 2)] = (float) Math.log(w / head.anchorWidth(a));
        logits[logitIndex(head, b, y, x, a, 3)] = (float) Math.log(h / head.anchorHeight(a));
    }

    /**
     * Logits that predict {@code targets} almost perfectly: responsible anchors decode to their box with
     * objectness and class logits of ±{@code confidence}; every other anchor has objectness -confidence.
     */
    static float[][] perfectLogits(List<HeadDescription> heads, YoloTargets.Batch targets,
                                   List<List<YoloTargets.Box>> images, float confidence) {
        float[][] logits = emptyLogits(heads, targets.batchSize());
        for (int h = 0; h < heads.size(); h++) {
            HeadDescription head = heads.get(h);
            for (int b = 0; b < targets.batchSize(); b++) {
                for (int y = 0; y < head.gridHeight(); y++) {
                    for (int x = 0; x < head.gridWidth(); x++) {
                        for (int a = 0; a < head.anchors(); a++) {
                            logits[h][logitIndex(head, b, y, x, a, 4)] = -confidence;
                        }
                    }
                }
            }
            for (YoloTargets.Assignment as : targets.heads().get(h).assignments()) {
                YoloTargets.Box box = images.get(as.image()).get(as.box());
                setBox(logits[h], head, as.image(), as.gridY(), as.gridX(), as.anchor(), box.cx(), box.cy(), box.w(),
                        box.h());
                logits[h][logitIndex(head, as.image(), as.gridY(), as.gridX(), as.anchor(), 4)] = confidence;
                for (int c = 0; c < CLASSES; c++) {
                    logits[h][logitIndex(head, as.image(), as.gridY(), as.gridX(), as.anchor(), 5 + c)] =
                            c == box.classId() ? confidence : -confidence;
                }
            }
        }
        return logits;
    }
}
