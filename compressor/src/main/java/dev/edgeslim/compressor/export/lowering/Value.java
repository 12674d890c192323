package dev.edgeslim.compressor.export.lowering;

import dev.edgeslim.detector.model.Shape;

/**
 * A feature map in the graph being emitted: its unique name (the same in the float and the int8 graph, which
 * is how calibration ranges find their tensor), its per-image shape (TFLite: an NHWC [1,h,w,c] tensor) and the
 * emitter's tensor index.
 */
public record Value(String name, Shape shape, int tensor) {

    public int[] nhwc() {
        return new int[] {1, shape.height(), shape.width(), shape.channels()};
    }
}
