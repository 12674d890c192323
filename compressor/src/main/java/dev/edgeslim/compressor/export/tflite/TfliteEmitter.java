package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.compressor.export.lowering.GraphEmitter;
import dev.edgeslim.compressor.export.lowering.Value;
import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of emitting TFLite ops that does not depend on the number format: data movement (PAD, PADV2,
 * MAX_POOL_2D, SLICE, SPLIT, CONCATENATION, RESHAPE), inputs and outputs, shapes. Subclasses
 * decide the tensor type and quantization of each named map and emit the arithmetic.
 */
abstract class TfliteEmitter implements GraphEmitter {
    protected final TfliteGraph graph = new TfliteGraph();
    protected final Set<Integer> outputs = new LinkedHashSet<>();
    /** Every named feature map, by name. */
    protected final Map<String, Value> values = new LinkedHashMap<>();
    /** Where same-quantization constraints are recorded (the float emitter during int8 export), or null. */
    protected final ParamSharing sharing;

    protected TfliteEmitter(ParamSharing sharing) {
        this.sharing = sharing;
    }

    /** The element type of feature maps. */
    protected abstract byte dtype();

    /** The quantization of the named feature map, null for float. */
    protected abstract TfliteGraph.Quantization quantization(String name);

    /** The operator version for an op on this emitter's tensors (TFLite's op_version rules). */
    protected abstract int version(TfliteOp op);

    /** The value a constant-padded max-pool pads with: never larger than any real value. */
    protected abstract int lowestConstant(Value like);

    TfliteGraph graph() {
        return graph;
    }

    /** A new feature map tensor of this emitter's type. */
    protected Value newValue(String name, Shape shape) {
        if (values.containsKey(name)) {
            throw new IllegalArgumentException("duplicate feature map name '" + name + "'");
        }
        int[] nhwc = {1, shape.height(), shape.width(), shape.channels()};
        Value v = new Value(name, shape, graph.addActivation(name, nhwc, dtype(), quantization(name)));
        values.put(name, v);
        return v;
    }

    /** Records that {@code v} is computed arithmetically (its own calibration range counts). */
    protected void computed(Value v) {
        if (sharing != null) {
            sharing.source(v.name());
        }
    }

    private void passThrough(Value from, Value to) {
        if (sharing != null) {
            sharing.share(from.name(), to.name());
        }
    }

    @Override
    public Value activation(String name, Value x, Activation activation) {
        Value out = newValue(name, x.shape());
        int[] y = {out.tensor()};
        switch (activation) {
            case LEAKY -> op(TfliteOp.LEAKY_RELU, new int[] {x.tensor()}, y,
                    new OpOptions.LeakyRelu(Activation.LEAKY_SLOPE));
            case RELU -> op(TfliteOp.RELU, new int[] {x.tensor()}, y, null);
            case LOGISTIC, SWISH, MISH -> smoothActivation(name, x, out, activation);
            case LINEAR -> throw new IllegalArgumentException("LINEAR is not an op");
        }
        computed(out);
        return out;
    }

    /** {@code out = f(x)} for an activation TFLite has no single fast op for (in this emitter's number format). */
    protected abstract void smoothActivation(String name, Value x, Value out, Activation f);

    protected void op(TfliteOp op, int[] in, int[] out, OpOptions options) {
        graph.addOperator(op, version(op), in, out, options);
    }

    @Override
    public Value input(String name, Shape shape) {
        Value v = newValue(name, shape);
        graph.addInput(v.tensor());
        computed(v);
        return v;
    }

    @Override
    public Value pad(String name, Value x, int top, int bottom, int left, int right, boolean lowest) {
        Shape s = x.shape();
        Value out = newValue(name, new Shape(s.height() + top + bottom, s.width() + left + right, s.channels()));
        int paddings = graph.addIntConstant(name + "/paddings", new int[] {4, 2},
                new int[] {0, 0, top, bottom, left, right, 0, 0});
        if (lowest) {
            int constant = lowestConstant(x);
            op(TfliteOp.PADV2, new int[] {x.tensor(), paddings, constant}, new int[] {out.tensor()},
                    new OpOptions.Empty(TfliteSchema.OPT_PAD_V2));
        } else {
            op(TfliteOp.PAD, new int[] {x.tensor(), paddings}, new int[] {out.tensor()},
                    new OpOptions.Empty(TfliteSchema.OPT_PAD));
        }
        passThrough(x, out);
        return out;
    }

    @Override
    public Value maxPool(String name, Value x, int size, int stride, boolean same) {
        Value out = newValue(name, windowed(x.shape(), size, stride, same, x.shape().channels()));
        op(TfliteOp.MAX_POOL_2D, new int[] {x.tensor()}, new int[] {out.tensor()},
                new OpOptions.Pool2D(same ? TfliteSchema.PADDING_SAME : TfliteSchema.PADDING_VALID, stride, size));
        passThrough(x, out);
        return out;
    }

    @Override
    public Value slice(String name, Value x, int start, int count) {
        Shape s = x.shape();
        Value out = newValue(name, s.withChannels(count));
        int begin = graph.addIntConstant(name + "/begin", new int[] {4}, new int[] {0, 0, 0, start});
        int size = graph.addIntConstant(name + "/size", new int[] {4},
                new int[] {1, s.height(), s.width(), count});
        op(TfliteOp.SLICE, new int[] {x.tensor(), begin, size}, new int[] {out.tensor()},
                new OpOptions.Empty(TfliteSchema.OPT_SLICE));
        passThrough(x, out);
        return out;
    }

    @Override
    public List<Value> split(String name, Value x, int parts) {
        int axis = graph.addIntConstant(name + "/axis", new int[] {1}, new int[] {3});
        List<Value> out = new ArrayList<>();
        int[] tensors = new int[parts];
        for (int p = 0; p < parts; p++) {
            Value v = newValue(name + "/" + p, x.shape().withChannels(x.shape().channels() / parts));
            out.add(v);
            tensors[p] = v.tensor();
            passThrough(x, v);
        }
        op(TfliteOp.SPLIT, new int[] {axis, x.tensor()}, tensors, new OpOptions.Split(parts));
        return out;
    }

    @Override
    public Value concat(String name, List<Value> parts) {
        int channels = parts.stream().mapToInt(p -> p.shape().channels()).sum();
        Value out = newValue(name, parts.get(0).shape().withChannels(channels));
        op(TfliteOp.CONCATENATION, parts.stream().mapToInt(Value::tensor).toArray(), new int[] {out.tensor()},
                new OpOptions.Concatenation(3));
        for (Value p : parts) {
            passThrough(p, out);
        }
        return out;
    }

    /**
     * Nearest-neighbour upsampling by an integer factor as CONCATENATION and RESHAPE, which the XNNPACK delegate
     * takes (its RESIZE_NEAREST_NEIGHBOR is not, and each one cut the graph into separate delegated pieces):
     * f copies side by side in the channel axis reshaped to [H, f·W, C] repeat every pixel along the row, f copies
     * of those rows along the width axis reshaped to [f·H, f·W, C] repeat every row. Pure data movement, exact.
     */
    @Override
    public Value resizeNearest(String name, Value x, int factor) {
        Shape s = x.shape();
        Value out = newValue(name, new Shape(s.height() * factor, s.width() * factor, s.channels()));
        int[] copies = new int[factor];
        java.util.Arrays.fill(copies, x.tensor());
        int side = passThroughTemporary(name + "/columns", x, new int[] {1, s.height(), s.width(), factor * s.channels()});
        op(TfliteOp.CONCATENATION, copies, new int[] {side}, new OpOptions.Concatenation(3));
        int[] rowShape = {1, s.height(), factor * s.width(), s.channels()};
        int rows = passThroughTemporary(name + "/rows", x, rowShape);
        reshape(name + "/rows", side, rows, rowShape);
        java.util.Arrays.fill(copies, rows);
        int stacked = passThroughTemporary(name + "/stacked", x,
                new int[] {1, s.height(), factor * factor * s.width(), s.channels()});
        op(TfliteOp.CONCATENATION, copies, new int[] {stacked}, new OpOptions.Concatenation(2));
        reshape(name, stacked, out.tensor(), out.nhwc());
        passThrough(x, out);
        return out;
    }

    /** A tensor holding a rearrangement of {@code like}'s values: its type and quantization. */
    private int passThroughTemporary(String name, Value like, int[] shape) {
        return graph.addActivation(name, shape, dtype(), quantization(like.name()));
    }

    private void reshape(String name, int in, int out, int[] shape) {
        int target = graph.addIntConstant(name + "/shape", new int[] {shape.length}, shape);
        op(TfliteOp.RESHAPE, new int[] {in, target}, new int[] {out}, new OpOptions.Reshape(shape));
    }

    @Override
    public void output(Value v) {
        if (!outputs.add(v.tensor())) {
            throw new IllegalArgumentException("'" + v.name() + "' is already a model output");
        }
        graph.addOutput(v.tensor());
    }

    /** Output shape of a convolution or pooling window. */
    static Shape windowed(Shape in, int size, int stride, boolean same, int channels) {
        int h = same ? ceilDiv(in.height(), stride) : (in.height() - size) / stride + 1;
        int w = same ? ceilDiv(in.width(), stride) : (in.width() - size) / stride + 1;
        return new Shape(h, w, channels);
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
