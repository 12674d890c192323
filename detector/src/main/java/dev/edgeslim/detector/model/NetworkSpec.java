package dev.edgeslim.detector.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An immutable darknet network: [net] options plus layer records, with every layer's output shape, parameter
 * count and FLOPs computed once at construction. Everything downstream (graph building, pruning, export,
 * reports) reads this; nothing re-parses cfg text. Construction validates references and shapes and throws
 * {@link ShapeException} naming the layer.
 */
public final class NetworkSpec {
    /** Stands for the network input image in a layer's input list. */
    public static final int IMAGE = -1;

    private final NetOptions net;
    private final List<Layer> layers;
    private final List<List<Integer>> inputs;
    private final List<Shape> outputs;
    private final long[] params;
    private final long[] flops;
    private final List<List<Integer>> consumers;

    public NetworkSpec(NetOptions net, List<Layer> layers) {
        this.net = Objects.requireNonNull(net);
        this.layers = List.copyOf(layers);
        checkNet(net);
        if (this.layers.isEmpty()) {
            throw new ShapeException(0, "the network has no layers");
        }
        if (this.layers.size() > SpecLimits.MAX_LAYERS) {
            throw new ShapeException(0, "the network has " + this.layers.size() + " layers, more than the limit "
                    + SpecLimits.MAX_LAYERS + " (raise with -Dedgeslim.limit.maxLayers)");
        }
        int n = this.layers.size();
        List<List<Integer>> ins = new ArrayList<>(n);
        List<Shape> outs = new ArrayList<>(n);
        List<List<Integer>> cons = new ArrayList<>(n);
        this.params = new long[n];
        this.flops = new long[n];
        long totalParams = 0;
        long totalActivations = 0;
        for (int i = 0; i < n; i++) {
            cons.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            Layer layer = this.layers.get(i);
            checkLayer(i, layer);
            List<Integer> in = layer.inputs(i);
            List<Shape> inShapes = new ArrayList<>(in.size());
            for (int ref : in) {
                if (ref == IMAGE && i == 0) {
                    inShapes.add(net.inputShape());
                    continue;
                }
                if (ref < 0 || ref >= i) {
                    throw new ShapeException(i, "layer " + i + " (" + layer.section() + ") refers to layer " + ref
                            + ", which is not an earlier layer (valid: 0.." + (i - 1) + ")");
                }
                if (this.layers.get(ref) instanceof YoloLayer && !(layer instanceof RouteLayer)) {
                    throw new ShapeException(i, "layer " + i + " reads the output of [yolo] layer " + ref);
                }
                inShapes.add(outs.get(ref));
                cons.get(ref).add(i);
            }
            Shape out;
            try {
                out = layer.outputShape(inShapes);
            } catch (IllegalArgumentException e) {
                throw new ShapeException(i, "layer " + i + " (" + layer.section() + "): " + e.getMessage());
            }
            long maxSide = 4L * SpecLimits.MAX_INPUT_SIDE; // long: the limit may be raised to Integer.MAX_VALUE
            if (out.height() > maxSide || out.width() > maxSide) {
                throw new ShapeException(i, "layer " + i + " output " + out + " is larger than the limit of "
                        + maxSide + " per side (raise with -Dedgeslim.limit.maxInputSide)");
            }
            if (out.channels() > SpecLimits.MAX_CHANNELS) {
                throw new ShapeException(i, "layer " + i + " has " + out.channels() + " output channels, more than"
                        + " the limit " + SpecLimits.MAX_CHANNELS + " (raise with -Dedgeslim.limit.maxChannels)");
            }
            params[i] = layer.params(inShapes);
            flops[i] = layer.flops(inShapes, out);
            totalParams += params[i];
            totalActivations += out.elements();
            if (totalParams > SpecLimits.MAX_PARAMS) {
                throw new ShapeException(i, "the network has more than " + SpecLimits.MAX_PARAMS
                        + " parameters by layer " + i + " (raise with -Dedgeslim.limit.maxParams)");
            }
            if (totalActivations > SpecLimits.MAX_ACTIVATIONS) {
                throw new ShapeException(i, "the network's feature maps exceed " + SpecLimits.MAX_ACTIVATIONS
                        + " values per image by layer " + i + " (raise with -Dedgeslim.limit.maxActivations)");
            }
            ins.add(List.copyOf(in));
            outs.add(out);
        }
        this.inputs = List.copyOf(ins);
        this.outputs = List.copyOf(outs);
        List<List<Integer>> frozen = new ArrayList<>(n);
        for (List<Integer> c : cons) {
            frozen.add(List.copyOf(c));
        }
        this.consumers = Collections.unmodifiableList(frozen);
    }

    private static void checkNet(NetOptions net) {
        int max = SpecLimits.MAX_INPUT_SIDE;
        if (net.width() <= 0 || net.height() <= 0 || net.width() > max || net.height() > max) {
            throw new ShapeException(IMAGE, "[net] width and height must be within 1.." + max + ", got "
                    + net.width() + "x" + net.height() + " (raise with -Dedgeslim.limit.maxInputSide)");
        }
        if (net.channels() <= 0 || net.channels() > 64) {
            throw new ShapeException(IMAGE, "[net] channels must be within 1..64, got " + net.channels());
        }
    }

    private static void checkLayer(int i, Layer layer) {
        String where = "layer " + i + " (" + layer.section() + "): ";
        if (layer instanceof ConvLayer c) {
                positive(i, where, "filters", c.filters(), SpecLimits.MAX_CHANNELS, "maxChannels");
                positive(i, where, "size", c.size(), SpecLimits.MAX_KERNEL, "maxKernel");
                positive(i, where, "stride", c.stride(), SpecLimits.MAX_STRIDE, "maxStride");
                positive(i, where, "groups", c.groups(), SpecLimits.MAX_CHANNELS, "maxChannels");
                if (c.padding() < 0 || c.padding() > SpecLimits.MAX_KERNEL) {
                    throw new ShapeException(i, where + "padding must be within 0.." + SpecLimits.MAX_KERNEL);
                }
        } else if (layer instanceof MaxPoolLayer m) {
                positive(i, where, "size", m.size(), SpecLimits.MAX_KERNEL, "maxKernel");
                positive(i, where, "stride", m.stride(), SpecLimits.MAX_STRIDE, "maxStride");
                if (m.padding() < 0 || m.padding() > SpecLimits.MAX_KERNEL) {
                    throw new ShapeException(i, where + "padding must be within 0.." + SpecLimits.MAX_KERNEL);
                }
        } else if (layer instanceof UpsampleLayer u) {
                positive(i, where, "stride", u.stride(), SpecLimits.MAX_STRIDE, "maxStride");
        } else if (layer instanceof RouteLayer r) {
                if (r.layers().isEmpty()) {
                    throw new ShapeException(i, where + "layers is empty");
                }
                positive(i, where, "groups", r.groups(), SpecLimits.MAX_CHANNELS, "maxChannels");
                if (r.groupId() < 0 || r.groupId() >= r.groups()) {
                    throw new ShapeException(i, where + "group_id must be within 0.." + (r.groups() - 1));
                }
        } else if (layer instanceof ShortcutLayer s) {
                if (s.from().isEmpty()) {
                    throw new ShapeException(i, where + "from is empty");
                }
        } else if (layer instanceof YoloLayer y) {
                positive(i, where, "classes", y.classes(), SpecLimits.MAX_CLASSES, "maxClasses");
                positive(i, where, "num", y.num(), SpecLimits.MAX_ANCHORS, "maxAnchors");
                if (y.anchors().size() != 2 * y.num()) {
                    throw new ShapeException(i, where + "anchors has " + y.anchors().size() + " values, expected 2 x num = "
                            + 2 * y.num());
                }
                if (y.mask().isEmpty()) {
                    throw new ShapeException(i, where + "mask is empty");
                }
                for (int m : y.mask()) {
                    if (m < 0 || m >= y.num()) {
                        throw new ShapeException(i, where + "mask entry " + m + " is outside 0.." + (y.num() - 1));
                    }
                }
                for (double a : y.anchors()) {
                    if (!(a > 0) || a > 1e5) {
                        throw new ShapeException(i, where + "anchor sizes must be positive, got " + a);
                    }
                }
        }
    }

    private static void positive(int i, String where, String name, int value, int max, String limit) {
        if (value <= 0 || value > max) {
            throw new ShapeException(i, where + name + " must be within 1.." + max + ", got " + value
                    + (value > max ? " (raise with -Dedgeslim.limit." + limit + ")" : ""));
        }
    }

    public NetOptions net() {
        return net;
    }

    public List<Layer> layers() {
        return layers;
    }

    public int size() {
        return layers.size();
    }

    public Layer layer(int i) {
        return layers.get(i);
    }

    public Shape inputShape() {
        return net.inputShape();
    }

    /** Absolute indices this layer reads ({@link #IMAGE} for the network input). */
    public List<Integer> inputsOf(int i) {
        return inputs.get(i);
    }

    /** Shapes of this layer's inputs, in input order. */
    public List<Shape> inputShapesOf(int i) {
        List<Shape> shapes = new ArrayList<>();
        for (int ref : inputs.get(i)) {
            shapes.add(shapeOf(ref));
        }
        return shapes;
    }

    /** Output shape of layer {@code i}, or the input image's shape for {@link #IMAGE}. */
    public Shape shapeOf(int i) {
        return i == IMAGE ? net.inputShape() : outputs.get(i);
    }

    /** Channels entering a convolution (its single input's channel count). */
    public int inputChannelsOf(int i) {
        return shapeOf(inputs.get(i).get(0)).channels();
    }

    /** Layers that read layer {@code i}'s output, ascending. */
    public List<Integer> consumersOf(int i) {
        return consumers.get(i);
    }

    public long params(int i) {
        return params[i];
    }

    public long flops(int i) {
        return flops[i];
    }

    public long totalParams() {
        long t = 0;
        for (long p : params) {
            t += p;
        }
        return t;
    }

    public long totalFlops() {
        long t = 0;
        for (long f : flops) {
            t += f;
        }
        return t;
    }

    /** Indices of [yolo] layers, in order. */
    public List<Integer> yoloLayers() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof YoloLayer) {
                out.add(i);
            }
        }
        return out;
    }

    /** Indices of convolutional layers, in order. */
    public List<Integer> convLayers() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof ConvLayer) {
                out.add(i);
            }
        }
        return out;
    }

    public ConvLayer conv(int i) {
        if (layers.get(i) instanceof ConvLayer c) {
            return c;
        }
        throw new IllegalArgumentException("layer " + i + " is a " + layers.get(i).section() + ", not a convolution");
    }

    /** Stride of layer {@code i}'s output relative to the input image (input height / output height). */
    public int strideOf(int i) {
        return Math.max(1, net.height() / shapeOf(i).height());
    }

    /** Number of classes (from the first [yolo] layer); 0 when the network has no head. */
    public int classes() {
        List<Integer> heads = yoloLayers();
        return heads.isEmpty() ? 0 : ((YoloLayer) layers.get(heads.get(0))).classes();
    }

    /** The same network at another input size (shapes and FLOPs recomputed). */
    public NetworkSpec withInputSize(int width, int height) {
        return new NetworkSpec(net.withSize(width, height), layers);
    }

    /** The same network with one layer replaced (e.g. a pruned convolution). */
    public NetworkSpec withLayer(int i, Layer replacement) {
        List<Layer> copy = new ArrayList<>(layers);
        copy.set(i, replacement);
        return new NetworkSpec(net, copy);
    }

    /** The same network with several layers replaced at once. */
    public NetworkSpec withLayers(java.util.Map<Integer, ? extends Layer> replacements) {
        List<Layer> copy = new ArrayList<>(layers);
        replacements.forEach(copy::set);
        return new NetworkSpec(net, copy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkSpec other && net.equals(other.net) && layers.equals(other.layers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(net, layers);
    }

    @Override
    public String toString() {
        return "NetworkSpec[" + layers.size() + " layers, input " + net.inputShape() + "]";
    }
}
