package dev.edgeslim.detector.model;

import java.util.List;

/**
 * One darknet layer's configuration: pure data, no shapes. {@link NetworkSpec} computes shapes, parameters and
 * FLOPs from these records once, so a spec can be resized or pruned by swapping records and rebuilding.
 * Inputs are absolute layer indices; {@link NetworkSpec#IMAGE} stands for the network input.
 */
public sealed interface Layer permits ConvLayer, RouteLayer, ShortcutLayer, MaxPoolLayer, UpsampleLayer, YoloLayer,
        DropoutLayer {

    /** The cfg section name, e.g. "convolutional". */
    String section();

    /** Absolute indices of the layers this one reads, in order; {@code self} is this layer's own index. */
    List<Integer> inputs(int self);

    /** Output shape for the given input shapes (same order as {@link #inputs}); throws on impossible shapes. */
    Shape outputShape(List<Shape> inputShapes);

    /** Learnable parameters (darknet/Keras convention: weights + bias/β + BN γ). */
    default long params(List<Shape> inputShapes) {
        return 0;
    }

    /** Floating-point operations for one image as darknet counts them (2 per multiply-add, conv layers only). */
    default long flops(List<Shape> inputShapes, Shape output) {
        return 0;
    }

    /** The previous layer, or the image for layer 0. */
    static int previous(int self) {
        return self == 0 ? NetworkSpec.IMAGE : self - 1;
    }
}
