package dev.edgeslim.compressor.export.lowering;

import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.Shape;

import java.util.List;

/**
 * The operations a darknet YOLO network lowers to, independent of the file format and the number format.
 * {@link YoloLowering} walks a {@code NetworkSpec} and calls these; each exporter implements them (TFLite float
 * and int8 ops, ONNX nodes). Every created feature map gets the caller's unique name, the same in every
 * emitter, which is how int8 calibration ranges find their map.
 */
public interface GraphEmitter {

    /** The image, RGB in [0,1] (the emitter chooses the tensor layout). */
    Value input(String name, Shape shape);

    /** Constant padding of the spatial axes: zeros, or (for max-pooling) the lowest representable value. */
    Value pad(String name, Value x, int top, int bottom, int left, int right, boolean lowest);

    /**
     * Convolution with bias; {@code same} selects SAME padding as TFLite defines it (output ⌈size / stride⌉, the
     * smaller half of the padding before), else VALID; ReLU can be fused.
     */
    Value conv(String name, Value x, ConvKernel kernel, int stride, boolean same, boolean relu);

    /** Depthwise convolution: filter f reads input channel f / (filters / channels). */
    Value depthwiseConv(String name, Value x, ConvKernel kernel, int stride, boolean same, boolean relu);

    /**
     * Grouped convolution that is not depthwise: filters [g·F/G, (g+1)·F/G) read channels [g·C/G, (g+1)·C/G).
     * By default a channel split, one convolution per group and a concatenation (named {@code name}); a format
     * with a grouped operation overrides this with that one operation.
     */
    default Value groupedConv(String name, Value x, ConvKernel kernel, int groups, int stride, boolean same,
                              boolean relu) {
        List<Value> parts = split(name + "_split", x, groups);
        int perGroup = kernel.filters() / groups;
        List<Value> convs = new java.util.ArrayList<>();
        for (int g = 0; g < groups; g++) {
            convs.add(conv(name + "_g" + g, parts.get(g), kernel.filters(g * perGroup, perGroup), stride, same, relu));
        }
        return concat(name, convs);
    }

    /** An element-wise activation other than LINEAR. */
    Value activation(String name, Value x, Activation activation);

    Value maxPool(String name, Value x, int size, int stride, boolean same);

    /** Channels [start, start + count). */
    Value slice(String name, Value x, int start, int count);

    /** {@code parts} equal channel groups. */
    List<Value> split(String name, Value x, int parts);

    /** Channel concatenation. */
    Value concat(String name, List<Value> parts);

    Value add(String name, Value a, Value b, boolean relu);

    /** Nearest-neighbour upsampling by an integer factor (darknet [upsample]). */
    Value resizeNearest(String name, Value x, int factor);

    /** Multiplication by a constant. */
    Value scale(String name, Value x, float factor);

    /** Declares {@code v} the next model output. */
    void output(Value v);
}
