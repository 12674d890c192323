package dev.edgeslim.detector.train.loss;

import dev.edgeslim.detector.model.YoloLayer;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a batch's ground-truth boxes into the dense per-head target arrays {@link YoloLoss} consumes, with
 * darknet's anchor assignment ({@code yolo_layer.c}), per head and per ground truth:
 * <ul>
 *   <li>the box's cell is {@code (floor(cx*W), floor(cy*H))};</li>
 *   <li>among all {@code num} anchors of the [yolo] layer (not only this head's) the one with the best shape IoU
 *       (boxes compared by width and height only, centred on each other) is responsible if this head's mask
 *       holds it;</li>
 *   <li>when {@code iou_thresh < 1}, every other anchor of this head whose shape IoU exceeds {@code iou_thresh}
 *       (0.213 in yolov4.cfg) is responsible too.</li>
 * </ul>
 * If two boxes claim the same (cell, anchor) the later one's box wins and the class targets are merged
 * (per-class maximum), as darknet accumulates class deltas there.
 * <p>
 * Coordinates are fractions of the network input: centre {@code cx, cy} and size {@code w, h} in [0, 1].
 * All arrays are row-major in the documented shapes, batch first, and are owned by the returned objects.
 */
public final class YoloTargets {

    /** One ground-truth object, normalised to the network input. */
    public record Box(double cx, double cy, double w, double h, int classId) {
        public Box {
            if (!(cx >= 0 && cx <= 1 && cy >= 0 && cy <= 1)) {
                throw new IllegalArgumentException("box centre must be within [0,1]: " + cx + "," + cy);
            }
            if (!(w > 0 && w <= 1 && h > 0 && h <= 1)) {
                throw new IllegalArgumentException("box size must be within (0,1]: " + w + "x" + h);
            }
            if (classId < 0) {
                throw new IllegalArgumentException("class id must be >= 0, got " + classId);
            }
        }
    }

    /**
     * @param labelSmoothing      class targets become {@code 1 - eps/2} and {@code eps/2} (darknet's
     *                            label_smooth_eps); 0 for plain one-hot
     * @param sizeWeightedBoxLoss weight each responsible anchor's box loss by {@code 2 - w*h} (YOLOv3's
     *                            emphasis on small boxes); false gives weight 1, which is what darknet does
     *                            with CIoU (it applies 2 - w*h only to its MSE box loss)
     */
    public record Options(double labelSmoothing, boolean sizeWeightedBoxLoss) {
        public Options {
            if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
                throw new IllegalArgumentException("label smoothing must be in [0,1), got " + labelSmoothing);
            }
        }

        public static Options defaults() {
            return new Options(0, false);
        }
    }

    /** One responsible (cell, anchor) and the index of the box (within its image) it learns. */
    public record Assignment(int image, int gridY, int gridX, int anchor, int box) {
    }

    /**
     * Targets of one head for a batch of {@code B} images on an {@code H x W} grid with {@code A} anchors and
     * {@code C} classes.
     */
    public static final class HeadTargets {
        private final int batch;
        private final int gridHeight;
        private final int gridWidth;
        private final int anchors;
        private final int classes;
        private final float[] objMask;
        private final float[] boxes;
        private final float[] classTargets;
        private final float[] boxWeight;
        private final List<Assignment> assignments = new ArrayList<>();

        HeadTargets(int batch, int gridHeight, int gridWidth, int anchors, int classes) {
            this.batch = batch;
            this.gridHeight = gridHeight;
            this.gridWidth = gridWidth;
            this.anchors = anchors;
            this.classes = classes;
            int cells = batch * gridHeight * gridWidth * anchors;
            objMask = new float[cells];
            boxes = new float[cells * 4];
            classTargets = new float[cells * classes];
            boxWeight = new float[cells];
        }

        public int batch() {
            return batch;
        }

        public int gridHeight() {
            return gridHeight;
        }

        public int gridWidth() {
            return gridWidth;
        }

        public int anchors() {
            return anchors;
        }

        public int classes() {
            return classes;
        }

        /** Flat index of (image, row, column, anchor) in {@link #objMask()}. */
        public int index(int image, int gridY, int gridX, int anchor) {
            return ((image * gridHeight + gridY) * gridWidth + gridX) * anchors + anchor;
        }

        /** [B,H,W,A]: 1 where an anchor is responsible for an object, else 0. */
        public float[] objMask() {
            return objMask;
        }

        /** [B,H,W,A,4]: the responsible object's cx, cy, w, h (0 elsewhere). */
        public float[] boxes() {
            return boxes;
        }

        /** [B,H,W,A,C]: (smoothed) one-hot class targets at responsible anchors (0 elsewhere). */
        public float[] classTargets() {
            return classTargets;
        }

        /** [B,H,W,A]: box-loss weight at responsible anchors (1, or 2 - w*h), 0 elsewhere. */
        public float[] boxWeight() {
            return boxWeight;
        }

        /** Every assignment made, in the order made (a (cell, anchor) may appear twice on collisions). */
        public List<Assignment> assignments() {
            return List.copyOf(assignments);
        }

        public int responsibleCount() {
            int n = 0;
            for (float m : objMask) {
                n += m > 0 ? 1 : 0;
            }
            return n;
        }
    }

    /**
     * Targets of a batch: one {@link HeadTargets} per head, and every image's boxes padded to
     * {@code maxBoxes} (at least 1) for the ignore test: {@code gtBoxes} [B, maxBoxes, 4] (cx, cy, w, h) and
     * {@code gtValid} [B, maxBoxes] (1 for a real box, 0 for padding).
     */
    public record Batch(int batchSize, int maxBoxes, List<HeadTargets> heads, float[] gtBoxes, float[] gtValid) {
        public Batch {
            heads = List.copyOf(heads);
        }
    }

    private final List<HeadDescription> heads;
    private final Options options;

    public YoloTargets(List<HeadDescription> heads, Options options) {
        if (heads.isEmpty()) {
            throw new IllegalArgumentException("at least one head is needed");
        }
        int classes = heads.get(0).classes();
        for (HeadDescription h : heads) {
            if (h.classes() != classes) {
                throw new IllegalArgumentException("heads disagree on the number of classes: " + classes + " vs "
                        + h.classes());
            }
        }
        this.heads = List.copyOf(heads);
        this.options = options;
    }

    public List<HeadDescription> heads() {
        return heads;
    }

    /** Builds the targets of a batch; {@code images.get(b)} lists image b's boxes (possibly none). */
    public Batch build(List<List<Box>> images) {
        int batch = images.size();
        if (batch == 0) {
            throw new IllegalArgumentException("a batch needs at least one image");
        }
        int classes = heads.get(0).classes();
        int maxBoxes = 1;
        for (List<Box> boxes : images) {
            maxBoxes = Math.max(maxBoxes, boxes.size());
            for (Box box : boxes) {
                if (box.classId() >= classes) {
                    throw new IllegalArgumentException("class id " + box.classId() + " is out of range: the heads have "
                            + classes + " classes");
                }
            }
        }
        List<HeadTargets> out = new ArrayList<>();
        for (HeadDescription head : heads) {
            out.add(buildHead(head, images));
        }
        float[] gtBoxes = new float[batch * maxBoxes * 4];
        float[] gtValid = new float[batch * maxBoxes];
        for (int b = 0; b < batch; b++) {
            List<Box> boxes = images.get(b);
            for (int k = 0; k < boxes.size(); k++) {
                Box box = boxes.get(k);
                int o = (b * maxBoxes + k) * 4;
                gtBoxes[o] = (float) box.cx();
                gtBoxes[o + 1] = (float) box.cy();
                gtBoxes[o + 2] = (float) box.w();
                gtBoxes[o + 3] = (float) box.h();
                gtValid[b * maxBoxes + k] = 1;
            }
        }
        return new Batch(batch, maxBoxes, out, gtBoxes, gtValid);
    }

    private HeadTargets buildHead(HeadDescription head, List<List<Box>> images) {
        YoloLayer layer = head.layer();
        int gridH = head.gridHeight();
        int gridW = head.gridWidth();
        HeadTargets t = new HeadTargets(images.size(), gridH, gridW, head.anchors(), head.classes());
        for (int b = 0; b < images.size(); b++) {
            List<Box> boxes = images.get(b);
            for (int k = 0; k < boxes.size(); k++) {
                Box box = boxes.get(k);
                int best = bestAnchor(layer, head, box);
                int gx = Math.min((int) (box.cx() * gridW), gridW - 1);
                int gy = Math.min((int) (box.cy() * gridH), gridH - 1);
                for (int m = 0; m < layer.mask().size(); m++) {
                    int n = layer.mask().get(m);
                    boolean responsible = n == best
                            || (layer.iouThresh() < 1 && shapeIou(layer, head, n, box) > layer.iouThresh());
                    if (responsible) {
                        assign(t, b, gy, gx, m, k, box);
                    }
                }
            }
        }
        return t;
    }

    private void assign(HeadTargets t, int image, int gy, int gx, int anchor, int boxIndex, Box box) {
        int i = t.index(image, gy, gx, anchor);
        t.objMask[i] = 1;
        t.boxes[4 * i] = (float) box.cx();
        t.boxes[4 * i + 1] = (float) box.cy();
        t.boxes[4 * i + 2] = (float) box.w();
        t.boxes[4 * i + 3] = (float) box.h();
        t.boxWeight[i] = options.sizeWeightedBoxLoss() ? (float) (2 - box.w() * box.h()) : 1f;
        double eps = options.labelSmoothing();
        for (int c = 0; c < t.classes; c++) {
            float value = (float) (c == box.classId() ? 1 - eps / 2 : eps / 2);
            int ci = i * t.classes + c;
            t.classTargets[ci] = Math.max(t.classTargets[ci], value);
        }
        t.assignments.add(new Assignment(image, gy, gx, anchor, boxIndex));
    }

    /** Index (into all {@code num} anchors) of the best shape match; the first wins ties, as in darknet. */
    static int bestAnchor(YoloLayer layer, HeadDescription head, Box box) {
        int best = 0;
        double bestIou = 0;
        int total = Math.min(layer.num(), layer.anchors().size() / 2);
        for (int n = 0; n < total; n++) {
            double iou = shapeIou(layer, head, n, box);
            if (iou > bestIou) {
                bestIou = iou;
                best = n;
            }
        }
        return best;
    }

    /** IoU of anchor {@code n} and the box when both are centred at the same point. */
    static double shapeIou(YoloLayer layer, HeadDescription head, int n, Box box) {
        double aw = layer.anchors().get(2 * n) / head.inputWidth();
        double ah = layer.anchors().get(2 * n + 1) / head.inputHeight();
        double inter = Math.min(aw, box.w()) * Math.min(ah, box.h());
        return inter / (aw * ah + box.w() * box.h() - inter);
    }
}
