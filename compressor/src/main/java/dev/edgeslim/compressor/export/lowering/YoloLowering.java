package dev.edgeslim.compressor.export.lowering;

import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.weights.BatchNormFolding;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.ArrayList;
import java.util.List;

/**
 * Lowers a darknet network (spec + weights) to {@link GraphEmitter} calls, layer by layer, as an inference
 * graph: batch norm folded into the convolution, darknet's padding reproduced exactly, the maps feeding the
 * [yolo] layers declared as outputs in {@link NetworkSpec#yoloLayers()} order. Any valid spec lowers, pruned
 * ones included; the [yolo] decoding itself is left to the caller.
 * <p>
 * Layer by layer:
 * <ul>
 *   <li>[convolutional]: darknet pads {@code padding} zeros on every side, then a VALID convolution. When
 *   TFLite's SAME padding places the windows identically (same output size, same leading padding, e.g. stride
 *   1 with padding = size/2) the conv uses SAME; otherwise an explicit PAD then VALID (stride 2: darknet pads
 *   top/left, SAME would pad bottom/right). groups = 1 → CONV_2D; groups = input channels → DEPTHWISE_CONV_2D;
 *   other groups → SPLIT, one CONV_2D per group, CONCATENATION. ReLU is fused, other activations follow.</li>
 *   <li>[maxpool]: padded cells never win. SAME when it places the windows like darknet (always for stride 1
 *   with the default padding = size − 1, and for 2×2 stride 2 on even sizes), else PADV2 with the lowest value
 *   (−FLT_MAX, or −128 in int8) then VALID (e.g. 3×3 stride 2 on an even size: darknet pads top/left).</li>
 *   <li>[route]: SLICE for group_id of groups, CONCATENATION of several inputs, nothing for one whole input.</li>
 *   <li>[shortcut]: a chain of ADD (ReLU fused into the last), then the activation.</li>
 *   <li>[upsample]: nearest neighbour, out[y] = in[y / s], as CONCATENATION and RESHAPE (see
 *   {@link GraphEmitter#resizeNearest}), then MUL when scale ≠ 1.</li>
 * </ul>
 */
public final class YoloLowering {
    /** The name of the image feature map. */
    public static final String INPUT = "input";

    private YoloLowering() {
    }

    /** Emits the whole network; returns the head output values in {@code spec.yoloLayers()} order. */
    public static List<Value> lower(NetworkSpec spec, WeightStore weights, GraphEmitter e) {
        if (spec.yoloLayers().isEmpty()) {
            throw new ModelNotExportableException("the network has no [yolo] layer, so there is nothing to output");
        }
        Value image = e.input(INPUT, spec.inputShape());
        Value[] out = new Value[spec.size()];
        for (int i = 0; i < spec.size(); i++) {
            Layer layer = spec.layer(i);
            List<Value> in = new ArrayList<>();
            for (int ref : spec.inputsOf(i)) {
                in.add(ref == NetworkSpec.IMAGE ? image : out[ref]);
            }
            String name = "l" + i;
            Value v;
            if (layer instanceof ConvLayer c) {
                v = conv(e, name, in.get(0), c, weights.conv(i));
            } else if (layer instanceof MaxPoolLayer m) {
                v = maxPool(e, name, in.get(0), m);
            } else if (layer instanceof RouteLayer r) {
                v = route(e, name, in, r);
            } else if (layer instanceof ShortcutLayer s) {
                v = shortcut(e, name, in, s.activation());
            } else if (layer instanceof UpsampleLayer u) {
                v = upsample(e, name, in.get(0), u);
            } else if (layer instanceof YoloLayer || layer instanceof dev.edgeslim.detector.model.DropoutLayer) {
                v = in.get(0); // dropout is an identity at inference
            } else {
                throw new ModelNotExportableException("layer " + i + " (" + layer.section() + ") has no lowering");
            }
            if (!v.shape().equals(spec.shapeOf(i))) {
                throw new IllegalStateException("layer " + i + " lowered to " + v.shape() + ", the spec says "
                        + spec.shapeOf(i));
            }
            out[i] = v;
        }
        List<Value> heads = new ArrayList<>();
        for (int y : spec.yoloLayers()) {
            Value head = out[y];
            if (head == image) {
                throw new ModelNotExportableException("[yolo] layer " + y + " reads the input image directly");
            }
            e.output(head);
            heads.add(head);
        }
        return heads;
    }

    private static Value conv(GraphEmitter e, String name, Value x, ConvLayer c, ConvWeights w) {
        Shape in = x.shape();
        int inPerGroup = in.channels() / c.groups();
        ConvKernel kernel = fold(name, c, w, inPerGroup);
        int outH = (in.height() + 2 * c.padding() - c.size()) / c.stride() + 1;
        int outW = (in.width() + 2 * c.padding() - c.size()) / c.stride() + 1;
        boolean same = c.padding() > 0 && sameMatches(in.height(), outH, c.size(), c.stride(), c.padding())
                && sameMatches(in.width(), outW, c.size(), c.stride(), c.padding());
        if (c.padding() > 0 && !same) {
            int bottom = Math.max(0, (outH - 1) * c.stride() + c.size() - in.height() - c.padding());
            int right = Math.max(0, (outW - 1) * c.stride() + c.size() - in.width() - c.padding());
            x = e.pad(name + "_pad", x, c.padding(), bottom, c.padding(), right, false);
        }
        boolean relu = c.activation() == Activation.RELU;
        boolean fused = relu || c.activation() == Activation.LINEAR;
        String convName = fused ? name : name + "_conv";
        Value y;
        if (c.groups() == 1) {
            y = e.conv(convName, x, kernel, c.stride(), same, relu);
        } else if (inPerGroup == 1) {
            y = e.depthwiseConv(convName, x, kernel, c.stride(), same, relu);
        } else {
            y = e.groupedConv(convName, x, kernel, c.groups(), c.stride(), same, relu);
        }
        return fused ? y : e.activation(name, y, c.activation());
    }

    /** Whether TFLite SAME padding gives darknet's output size and leading padding on one axis. */
    private static boolean sameMatches(int size, int darknetOut, int kernel, int stride, int padBefore) {
        int out = (size + stride - 1) / stride;
        int total = Math.max((out - 1) * stride + kernel - size, 0);
        return out == darknetOut && total / 2 == padBefore;
    }

    /**
     * Folds batch norm into the kernel ({@link BatchNormFolding}, as the TF inference graph does) and reorders
     * darknet's OIHW weights to TFLite's OHWI.
     */
    public static ConvKernel fold(String name, ConvLayer c, ConvWeights w, int inPerGroup) {
        int filters = c.filters();
        int k = c.size();
        int perFilter = inPerGroup * k * k;
        if (w.filters() != filters || w.weights().length != filters * perFilter) {
            throw new ModelNotExportableException(name + ": weights hold " + w.filters() + " filters of "
                    + w.weightsPerFilter() + " values, the layer needs " + filters + " of " + perFilter);
        }
        if (w.batchNormalized() != c.batchNormalize()) {
            throw new ModelNotExportableException(name + ": weights " + (w.batchNormalized() ? "have" : "lack")
                    + " batch-norm parameters but the layer has batch_normalize=" + (c.batchNormalize() ? 1 : 0));
        }
        BatchNormFolding.Folded folded = BatchNormFolding.fold(w);
        float[] src = folded.oihw();
        float[] ohwi = new float[filters * perFilter];
        float[] bias = new float[filters];
        for (int f = 0; f < filters; f++) {
            bias[f] = finite(name, "bias", folded.bias()[f]);
            for (int ci = 0; ci < inPerGroup; ci++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        float v = src[((f * inPerGroup + ci) * k + ky) * k + kx];
                        ohwi[((f * k + ky) * k + kx) * inPerGroup + ci] = finite(name, "weight", v);
                    }
                }
            }
        }
        return new ConvKernel(filters, k, inPerGroup, ohwi, bias);
    }

    private static float finite(String name, String what, double v) {
        float f = (float) v;
        if (!Float.isFinite(f)) {
            throw new ModelNotExportableException(name + ": a folded " + what + " is " + f
                    + " (non-finite weights or batch-norm statistics)");
        }
        return f;
    }

    private static Value maxPool(GraphEmitter e, String name, Value x, MaxPoolLayer m) {
        Shape in = x.shape();
        int outH = (in.height() + m.padding() - m.size()) / m.stride() + 1;
        int outW = (in.width() + m.padding() - m.size()) / m.stride() + 1;
        if (sameMatches(in.height(), outH, m.size(), m.stride(), m.padBefore())
                && sameMatches(in.width(), outW, m.size(), m.stride(), m.padBefore())) {
            return e.maxPool(name, x, m.size(), m.stride(), true);
        }
        int bottom = Math.max(0, (outH - 1) * m.stride() + m.size() - in.height() - m.padBefore());
        int right = Math.max(0, (outW - 1) * m.stride() + m.size() - in.width() - m.padBefore());
        if (m.padBefore() > 0 || bottom > 0 || right > 0) {
            x = e.pad(name + "_pad", x, m.padBefore(), bottom, m.padBefore(), right, true);
        }
        return e.maxPool(name, x, m.size(), m.stride(), false);
    }

    private static Value route(GraphEmitter e, String name, List<Value> in, RouteLayer r) {
        List<Value> parts = new ArrayList<>();
        for (int k = 0; k < in.size(); k++) {
            Value v = in.get(k);
            if (r.groups() > 1) {
                int size = v.shape().channels() / r.groups();
                String sliceName = in.size() == 1 ? name : name + "_slice" + k;
                v = e.slice(sliceName, v, r.groupId() * size, size);
            }
            parts.add(v);
        }
        return parts.size() == 1 ? parts.get(0) : e.concat(name, parts);
    }

    private static Value shortcut(GraphEmitter e, String name, List<Value> in, Activation activation) {
        boolean relu = activation == Activation.RELU;
        boolean fused = relu || activation == Activation.LINEAR;
        Value sum = in.get(0);
        for (int k = 1; k < in.size(); k++) {
            boolean last = k == in.size() - 1;
            String addName = last && fused ? name : name + "_add" + k;
            sum = e.add(addName, sum, in.get(k), last && relu);
        }
        return fused ? sum : e.activation(name, sum, activation);
    }

    private static Value upsample(GraphEmitter e, String name, Value x, UpsampleLayer u) {
        boolean scaled = u.scale() != 1;
        Value y = u.stride() == 1 ? x : e.resizeNearest(scaled ? name + "_resize" : name, x, u.stride());
        return scaled ? e.scale(name, y, (float) u.scale()) : y;
    }
}
