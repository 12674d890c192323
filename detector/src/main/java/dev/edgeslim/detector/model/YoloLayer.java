package dev.edgeslim.detector.model;

import java.util.List;
import java.util.Map;

/**
 * darknet [yolo]: a detection head over the previous layer's output. {@code anchors} holds all
 * {@code num} anchor pairs (w,h in input pixels); {@code mask} picks this head's ones.
 * {@code newCoords} is darknet's {@code new_coords=1} (Scaled-YOLOv4, YOLOv7): the layer applies no sigmoid
 * (the convolution before it is logistic-activated), x = (v·scale_x_y − (scale_x_y − 1)/2 + cell)/W and
 * w = (2v)²·anchor instead of exp. {@code extras} keeps training options EdgeSlim does not model (jitter,
 * nms_kind, ...) for round trips.
 */
public record YoloLayer(List<Integer> mask, List<Double> anchors, int classes, int num, double scaleXY,
                        double ignoreThresh, double truthThresh, double iouThresh, boolean newCoords,
                        Map<String, String> extras) implements Layer {

    public YoloLayer {
        mask = List.copyOf(mask);
        anchors = List.copyOf(anchors);
        extras = Map.copyOf(extras);
    }

    /** A classic (sigmoid/exp) head. */
    public YoloLayer(List<Integer> mask, List<Double> anchors, int classes, int num, double scaleXY,
                     double ignoreThresh, double truthThresh, double iouThresh, Map<String, String> extras) {
        this(mask, anchors, classes, num, scaleXY, ignoreThresh, truthThresh, iouThresh, false, extras);
    }

    /** Values per anchor per cell: x, y, w, h, objectness, classes. */
    public int valuesPerAnchor() {
        return 5 + classes;
    }

    public double anchorWidth(int maskPosition) {
        return anchors.get(2 * mask.get(maskPosition));
    }

    public double anchorHeight(int maskPosition) {
        return anchors.get(2 * mask.get(maskPosition) + 1);
    }

    public YoloLayer withClasses(int newClasses) {
        return new YoloLayer(mask, anchors, newClasses, num, scaleXY, ignoreThresh, truthThresh, iouThresh, newCoords,
                extras);
    }

    @Override
    public String section() {
        return "yolo";
    }

    @Override
    public List<Integer> inputs(int self) {
        return List.of(Layer.previous(self));
    }

    @Override
    public Shape outputShape(List<Shape> in) {
        Shape x = in.get(0);
        int expected = mask.size() * valuesPerAnchor();
        if (x.channels() != expected) {
            throw new IllegalArgumentException("yolo layer expects " + expected + " input channels ("
                    + mask.size() + " anchors x (5 + " + classes + " classes)) but gets " + x.channels());
        }
        return x;
    }
}
