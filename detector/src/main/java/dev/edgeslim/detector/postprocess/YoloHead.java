package dev.edgeslim.detector.postprocess;

import java.util.Arrays;

/**
 * What {@link YoloDecoder} needs to know about one darknet {@code [yolo]} head: its grid size, the anchors of
 * its mask (width/height in network-input pixels), the number of classes, {@code scale_x_y}, whether it decodes
 * with darknet's {@code new_coords=1} formulas, and the network input size. Plain numbers only, so the Android app can build it from a metadata JSON; on the desktop
 * {@code dev.edgeslim.detector.model.YoloHeads} derives it from a {@code NetworkSpec}. Immutable.
 */
public final class YoloHead {
    private final int gridHeight;
    private final int gridWidth;
    private final int classes;
    private final float[] anchorWidths;
    private final float[] anchorHeights;
    private final float scaleXY;
    private final int inputWidth;
    private final int inputHeight;
    private final boolean newCoords;

    /** A classic head (sigmoid offsets, exp sizes). */
    public YoloHead(int gridHeight, int gridWidth, int classes, float[] anchorWidths, float[] anchorHeights,
                    float scaleXY, int inputWidth, int inputHeight) {
        this(gridHeight, gridWidth, classes, anchorWidths, anchorHeights, scaleXY, inputWidth, inputHeight, false);
    }

    /**
     * @param anchorWidths  this head's anchor widths in network-input pixels (one per anchor of the mask)
     * @param anchorHeights matching anchor heights
     * @param newCoords     darknet's {@code new_coords=1}: the values are already sigmoid-activated and sizes are
     *                      (2v)²·anchor
     */
    public YoloHead(int gridHeight, int gridWidth, int classes, float[] anchorWidths, float[] anchorHeights,
                    float scaleXY, int inputWidth, int inputHeight, boolean newCoords) {
        if (gridHeight <= 0 || gridWidth <= 0) {
            throw new IllegalArgumentException("grid must be positive, got " + gridHeight + "x" + gridWidth);
        }
        if (classes <= 0) {
            throw new IllegalArgumentException("classes must be positive, got " + classes);
        }
        if (anchorWidths == null || anchorHeights == null || anchorWidths.length == 0
                || anchorWidths.length != anchorHeights.length) {
            throw new IllegalArgumentException("need the same positive number of anchor widths and heights");
        }
        for (int a = 0; a < anchorWidths.length; a++) {
            if (!(anchorWidths[a] > 0f) || !(anchorHeights[a] > 0f)) {
                throw new IllegalArgumentException("anchor " + a + " must have positive size, got "
                        + anchorWidths[a] + "x" + anchorHeights[a]);
            }
        }
        if (!(scaleXY >= 1f) || Float.isInfinite(scaleXY)) {
            throw new IllegalArgumentException("scaleXY must be >= 1, got " + scaleXY);
        }
        if (inputWidth <= 0 || inputHeight <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + inputWidth + "x" + inputHeight);
        }
        long size = (long) gridHeight * gridWidth * anchorWidths.length * (5L + classes);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("head output of " + size + " values does not fit in an array");
        }
        this.gridHeight = gridHeight;
        this.gridWidth = gridWidth;
        this.classes = classes;
        this.anchorWidths = anchorWidths.clone();
        this.anchorHeights = anchorHeights.clone();
        this.scaleXY = scaleXY;
        this.inputWidth = inputWidth;
        this.inputHeight = inputHeight;
        this.newCoords = newCoords;
    }

    public int gridHeight() {
        return gridHeight;
    }

    public int gridWidth() {
        return gridWidth;
    }

    public int numAnchors() {
        return anchorWidths.length;
    }

    public int classes() {
        return classes;
    }

    public float anchorWidth(int a) {
        return anchorWidths[a];
    }

    public float anchorHeight(int a) {
        return anchorHeights[a];
    }

    public float[] anchorWidths() {
        return anchorWidths.clone();
    }

    public float[] anchorHeights() {
        return anchorHeights.clone();
    }

    public float scaleXY() {
        return scaleXY;
    }

    /** darknet's {@code new_coords=1} decoding (Scaled-YOLOv4, YOLOv7). */
    public boolean newCoords() {
        return newCoords;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public int inputHeight() {
        return inputHeight;
    }

    /** Values per anchor per cell: x, y, w, h, objectness, then one per class. */
    public int valuesPerAnchor() {
        return 5 + classes;
    }

    /** Channels of the head's output: anchors x (5 + classes). */
    public int channels() {
        return numAnchors() * valuesPerAnchor();
    }

    /** Length of one image's flat NHWC output: gridHeight x gridWidth x channels. */
    public int outputLength() {
        return gridHeight * gridWidth * channels();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof YoloHead)) {
            return false;
        }
        YoloHead h = (YoloHead) o;
        return gridHeight == h.gridHeight && gridWidth == h.gridWidth && classes == h.classes
                && Arrays.equals(anchorWidths, h.anchorWidths) && Arrays.equals(anchorHeights, h.anchorHeights)
                && Float.compare(scaleXY, h.scaleXY) == 0
                && inputWidth == h.inputWidth && inputHeight == h.inputHeight && newCoords == h.newCoords;
    }

    @Override
    public int hashCode() {
        int r = gridHeight;
        r = 31 * r + gridWidth;
        r = 31 * r + classes;
        r = 31 * r + Arrays.hashCode(anchorWidths);
        r = 31 * r + Arrays.hashCode(anchorHeights);
        r = 31 * r + Float.floatToIntBits(scaleXY);
        r = 31 * r + inputWidth;
        r = 31 * r + inputHeight;
        return 31 * r + (newCoords ? 1 : 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("YoloHead[").append(gridHeight).append('x').append(gridWidth)
                .append(", classes=").append(classes).append(", anchors=");
        for (int a = 0; a < anchorWidths.length; a++) {
            sb.append(a == 0 ? "" : " ").append(anchorWidths[a]).append('x').append(anchorHeights[a]);
        }
        return sb.append(", scaleXY=").append(scaleXY).append(newCoords ? ", new_coords" : "").append(", input=").append(inputWidth).append('x')
                .append(inputHeight).append(']').toString();
    }
}
