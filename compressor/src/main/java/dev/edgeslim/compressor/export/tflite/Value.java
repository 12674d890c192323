package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.model.Shape;

/**
 * A feature map in the graph being emitted: its unique name (the same in the float and the int8 graph, which
 * is how calibration ranges find their tensor), its per-image shape (the tensor is NHWC [1,h,w,c]) and the
 * emitter's tensor index.
 */
record Value(String name, Shape shape, int tensor) {

    int[] nhwc() {
        return new int[] {1, shape.height(), shape.width(), shape.channels()};
    }
}
