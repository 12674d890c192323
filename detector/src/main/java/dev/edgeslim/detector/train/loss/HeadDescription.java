package dev.edgeslim.detector.train.loss;

import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.YoloLayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the loss needs to know about one detection head: its [yolo] layer (anchors, mask, classes, scale_x_y,
 * thresholds), the grid it predicts on and the network input size the anchors are measured in.
 */
public record HeadDescription(YoloLayer layer, int gridHeight, int gridWidth, int inputHeight, int inputWidth) {

    public HeadDescription {
        Objects.requireNonNull(layer, "layer");
        if (gridHeight <= 0 || gridWidth <= 0 || inputHeight <= 0 || inputWidth <= 0) {
            throw new IllegalArgumentException("grid and input sizes must be positive, got grid " + gridHeight + "x"
                    + gridWidth + ", input " + inputHeight + "x" + inputWidth);
        }
        if (layer.classes() < 1) {
            throw new IllegalArgumentException("a head needs at least one class");
        }
    }

    /** The heads of {@code spec}, in layer order (the order the model lists their logits). */
    public static List<HeadDescription> of(NetworkSpec spec) {
        List<HeadDescription> heads = new ArrayList<>();
        for (int i : spec.yoloLayers()) {
            Shape s = spec.shapeOf(i);
            heads.add(new HeadDescription((YoloLayer) spec.layer(i), s.height(), s.width(),
                    spec.net().height(), spec.net().width()));
        }
        return heads;
    }

    /** Anchors predicted per cell (the mask size). */
    public int anchors() {
        return layer.mask().size();
    }

    public int classes() {
        return layer.classes();
    }

    /** Input pixels per grid cell, e.g. 8, 16 or 32. */
    public int stride() {
        return (int) Math.round((double) inputWidth / gridWidth);
    }

    /** Logit channels: anchors x (4 box + 1 objectness + classes). */
    public int channels() {
        return anchors() * layer.valuesPerAnchor();
    }

    /** Width of mask anchor {@code m} as a fraction of the input width. */
    public double anchorWidth(int m) {
        return layer.anchorWidth(m) / inputWidth;
    }

    /** Height of mask anchor {@code m} as a fraction of the input height. */
    public double anchorHeight(int m) {
        return layer.anchorHeight(m) / inputHeight;
    }
}
