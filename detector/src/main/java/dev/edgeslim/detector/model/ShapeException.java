package dev.edgeslim.detector.model;

/** A layer whose configuration cannot work with its inputs (wrong reference, mismatched shapes, ...). */
public class ShapeException extends RuntimeException {
    private final int layer;

    public ShapeException(int layer, String message) {
        super(message);
        this.layer = layer;
    }

    /** Index of the offending layer. */
    public int layer() {
        return layer;
    }
}
