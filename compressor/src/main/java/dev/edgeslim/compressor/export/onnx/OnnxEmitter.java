package dev.edgeslim.compressor.export.onnx;

import dev.edgeslim.compressor.export.lowering.ConvKernel;
import dev.edgeslim.compressor.export.lowering.GraphEmitter;
import dev.edgeslim.compressor.export.lowering.ModelNotExportableException;
import dev.edgeslim.compressor.export.lowering.Value;
import dev.edgeslim.compressor.export.tflite.Float16;
import dev.edgeslim.compressor.export.tflite.QuantParams;
import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Emits the lowered network as ONNX nodes of the default domain, NCHW, every op computing in float32.
 * <ul>
 *   <li>Padding is always explicit: convolution and max-pool {@code pads} are computed here ({@code same} as
 *   TFLite defines SAME, the smaller half before), darknet's top/left-first padding arrives as a Pad node.
 *   Max-pool padding never wins (ONNX pads max-pool with −∞; a Pad before it uses −FLT_MAX).</li>
 *   <li>Activations: LeakyRelu(0.1), Relu, Sigmoid; Swish = x·σ(x); Mish with the same σ-only algebra as the TFLite
 *   export (see {@code FloatActivationOps}): y = x·p/(2 − p), p = σ(x)(2 − σ(x)), which cannot overflow.</li>
 *   <li>Upsampling: Resize nearest, asymmetric coordinates, floor rounding: out[y] = in[⌊y / s⌋], exactly
 *   darknet's.</li>
 *   <li>Weights: float32, float16 initializers Cast to float32 (half the file, float32 compute), or int8 QDQ.</li>
 * </ul>
 * int8 (QDQ): weights are int8 per output channel, symmetric (scale = max|w| / 127, zero point 0), each behind a
 * DequantizeLinear on axis 0; biases int32 with scale = input scale · weight scale, as integer convolution kernels
 * need them; every feature map with parameters in the calibration plan gets a QuantizeLinear/DequantizeLinear pair
 * (per tensor). Runtimes fuse DQ → op → Q into integer kernels; ops with no integer kernel run in float between
 * the pairs, with the quantization error of the int8 model.
 */
final class OnnxEmitter implements GraphEmitter {
    private static final long[] SCALAR = {};

    private final OnnxGraph graph;
    private final boolean fp16Weights;
    private final Map<String, QuantParams> plan;
    private final String batchParam;
    private final List<String> tensors = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();

    /**
     * @param fp16Weights store weights and biases as float16
     * @param plan        int8 parameters per feature-map name (QDQ), or null for a float model
     * @param batchParam  the symbolic batch dimension's name, or null for batch 1
     */
    OnnxEmitter(OnnxGraph graph, boolean fp16Weights, Map<String, QuantParams> plan, String batchParam) {
        if (fp16Weights && plan != null) {
            throw new IllegalArgumentException("float16 weights and int8 QDQ exclude each other");
        }
        this.graph = graph;
        this.fp16Weights = fp16Weights;
        this.plan = plan;
        this.batchParam = batchParam;
    }

    /** The graph output names, in the order of {@link #output} calls. */
    List<String> outputNames() {
        return List.copyOf(outputs);
    }

    private OnnxGraph.Dim batch() {
        return batchParam == null ? OnnxGraph.Dim.of(1) : new OnnxGraph.Dim(0, batchParam);
    }

    private String tensor(Value v) {
        return tensors.get(v.tensor());
    }

    /** Registers the map {@code name} computed into {@code tensor}; inserts Q/DQ when the plan quantizes it. */
    private Value produce(String name, Shape shape, String tensor) {
        String visible = tensor;
        if (plan != null && plan.containsKey(name)) {
            QuantParams q = plan.get(name);
            String scale = graph.floats(name + "/scale", SCALAR, new float[] {(float) q.scale()});
            String zero = graph.bytes(name + "/zero_point", OnnxSchema.INT8, SCALAR, new byte[] {(byte) q.zeroPoint()});
            graph.node("QuantizeLinear", name + "/quantize", List.of(tensor, scale, zero), List.of(name + "/q"));
            visible = name + "/dq";
            graph.node("DequantizeLinear", name + "/dequantize", List.of(name + "/q", scale, zero), List.of(visible));
        }
        tensors.add(visible);
        return new Value(name, shape, tensors.size() - 1);
    }

    @Override
    public Value input(String name, Shape shape) {
        graph.input(name, OnnxSchema.FLOAT, List.of(batch(), OnnxGraph.Dim.of(shape.channels()),
                OnnxGraph.Dim.of(shape.height()), OnnxGraph.Dim.of(shape.width())));
        return produce(name, shape, name);
    }

    @Override
    public Value pad(String name, Value x, int top, int bottom, int left, int right, boolean lowest) {
        String pads = graph.longs(name + "/pads", new long[] {8}, new long[] {0, 0, top, left, 0, 0, bottom, right});
        String value = graph.floats(name + "/value", SCALAR, new float[] {lowest ? -Float.MAX_VALUE : 0f});
        graph.node("Pad", name, List.of(tensor(x), pads, value), List.of(name), attr("mode", "constant"));
        Shape s = x.shape();
        return produce(name, new Shape(s.height() + top + bottom, s.width() + left + right, s.channels()), name);
    }

    @Override
    public Value conv(String name, Value x, ConvKernel kernel, int stride, boolean same, boolean relu) {
        return convolution(name, x, kernel, stride, same, relu, 1);
    }

    @Override
    public Value depthwiseConv(String name, Value x, ConvKernel kernel, int stride, boolean same, boolean relu) {
        return convolution(name, x, kernel, stride, same, relu, x.shape().channels());
    }

    /** ONNX Conv has a {@code group} attribute: one node instead of a split, a convolution per group and a concat. */
    @Override
    public Value groupedConv(String name, Value x, ConvKernel kernel, int groups, int stride, boolean same,
                             boolean relu) {
        return convolution(name, x, kernel, stride, same, relu, groups);
    }

    private Value convolution(String name, Value x, ConvKernel k, int stride, boolean same, boolean relu, int group) {
        Shape in = x.shape();
        int size = k.size();
        long[] pads = same ? samePads(in, size, stride) : new long[4];
        int outH = (int) ((in.height() + pads[0] + pads[2] - size) / stride + 1);
        int outW = (int) ((in.width() + pads[1] + pads[3] - size) / stride + 1);
        long[] dims = {k.filters(), k.inPerGroup(), size, size};
        float[] oihw = oihw(k);
        String w;
        String b;
        if (plan != null) {
            QuantParams inQuant = plan.get(x.name());
            float[] wScale = channelScales(oihw, k.filters());
            w = perChannelInt8(name + "/W", dims, oihw, wScale);
            b = inQuant == null ? graph.floats(name + "/B", new long[] {k.filters()}, k.bias())
                    : int32Bias(name + "/B", k.bias(), wScale, (float) inQuant.scale());
        } else {
            w = constant(name + "/W", dims, oihw);
            b = constant(name + "/B", new long[] {k.filters()}, k.bias());
        }
        String convOut = relu ? name + "/conv" : name;
        graph.node("Conv", relu ? name + "/conv" : name, List.of(tensor(x), w, b), List.of(convOut),
                attr("kernel_shape", new long[] {size, size}), attr("strides", new long[] {stride, stride}),
                attr("pads", pads), attr("dilations", new long[] {1, 1}), attr("group", (long) group));
        if (relu) {
            graph.node("Relu", name, List.of(convOut), List.of(name));
        }
        return produce(name, new Shape(outH, outW, k.filters()), name);
    }

    /** Pads [top, left, bottom, right] placing windows as TFLite SAME: output ⌈n / stride⌉, the smaller half first. */
    private static long[] samePads(Shape in, int kernel, int stride) {
        long[] h = sameAxis(in.height(), kernel, stride);
        long[] w = sameAxis(in.width(), kernel, stride);
        return new long[] {h[0], w[0], h[1], w[1]};
    }

    private static long[] sameAxis(int size, int kernel, int stride) {
        int out = (size + stride - 1) / stride;
        int total = Math.max((out - 1) * stride + kernel - size, 0);
        return new long[] {total / 2, total - total / 2};
    }

    /** The kernel's OHWI weights in ONNX Conv's OIHW order. */
    private static float[] oihw(ConvKernel k) {
        int s = k.size();
        int c = k.inPerGroup();
        float[] src = k.weights();
        float[] out = new float[src.length];
        for (int f = 0; f < k.filters(); f++) {
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    for (int i = 0; i < c; i++) {
                        out[((f * c + i) * s + y) * s + x] = src[((f * s + y) * s + x) * c + i];
                    }
                }
            }
        }
        return out;
    }

    /** A float32 constant, or a float16 one Cast to float32. */
    private String constant(String name, long[] dims, float[] values) {
        if (!fp16Weights) {
            return graph.floats(name, dims, values);
        }
        for (float v : values) {
            if (!(Math.abs(v) <= Float16.MAX)) {
                throw new ModelNotExportableException("'" + name + "' holds " + v
                        + ", outside the float16 range (±65504); export fp32 or int8 instead");
            }
        }
        String half = graph.bytes(name + "/fp16", OnnxSchema.FLOAT16, dims, Float16.bytes(values));
        graph.node("Cast", name + "/cast", List.of(half), List.of(name), attr("to", (long) OnnxSchema.FLOAT));
        return name;
    }

    /** Symmetric int8 scale per output channel: max|w| / 127 (1 for an all-zero filter: any positive scale fits). */
    private static float[] channelScales(float[] w, int filters) {
        int per = w.length / filters;
        float[] scales = new float[filters];
        for (int f = 0; f < filters; f++) {
            double max = 0;
            for (int i = 0; i < per; i++) {
                max = Math.max(max, Math.abs(w[f * per + i]));
            }
            scales[f] = max > 0 ? (float) (max / 127) : 1f;
        }
        return scales;
    }

    private String perChannelInt8(String name, long[] dims, float[] w, float[] scales) {
        int filters = scales.length;
        int per = w.length / filters;
        byte[] q = new byte[w.length];
        for (int f = 0; f < filters; f++) {
            for (int i = 0; i < per; i++) {
                long v = Math.round(w[f * per + i] / scales[f]);
                q[f * per + i] = (byte) Math.max(-127, Math.min(127, v));
            }
        }
        String data = graph.bytes(name + "/int8", OnnxSchema.INT8, dims, q);
        String scale = graph.floats(name + "/scale", new long[] {filters}, scales);
        String zero = graph.bytes(name + "/zero_point", OnnxSchema.INT8, new long[] {filters}, new byte[filters]);
        graph.node("DequantizeLinear", name + "/dequantize", List.of(data, scale, zero), List.of(name),
                attr("axis", 0L));
        return name;
    }

    private String int32Bias(String name, float[] bias, float[] wScales, float inScale) {
        int filters = bias.length;
        int[] q = new int[filters];
        float[] scales = new float[filters];
        for (int f = 0; f < filters; f++) {
            scales[f] = inScale * wScales[f];
            double v = Math.rint(bias[f] / (double) scales[f]);
            if (Math.abs(v) > Integer.MAX_VALUE) {
                throw new ModelNotExportableException("'" + name + "' bias " + bias[f]
                        + " does not fit int32 at scale " + scales[f] + "; export fp32 or fp16 instead");
            }
            q[f] = (int) v;
        }
        String data = graph.ints(name + "/int32", new long[] {filters}, q);
        String scale = graph.floats(name + "/scale", new long[] {filters}, scales);
        String zero = graph.ints(name + "/zero_point", new long[] {filters}, new int[filters]);
        graph.node("DequantizeLinear", name + "/dequantize", List.of(data, scale, zero), List.of(name),
                attr("axis", 0L));
        return name;
    }

    @Override
    public Value activation(String name, Value x, Activation activation) {
        String in = tensor(x);
        switch (activation) {
            case LEAKY -> graph.node("LeakyRelu", name, List.of(in), List.of(name),
                    attr("alpha", Activation.LEAKY_SLOPE));
            case RELU -> graph.node("Relu", name, List.of(in), List.of(name));
            case LOGISTIC -> graph.node("Sigmoid", name, List.of(in), List.of(name));
            case SWISH -> graph.node("Mul", name, List.of(in, sigmoid(name, in)), List.of(name));
            case MISH -> mish(name, in);
            default -> throw new IllegalArgumentException(activation + " is not an emitted activation");
        }
        return produce(name, x.shape(), name);
    }

    /** y = x · p / (2 − p), p = s · (2 − s), s = σ(x). */
    private void mish(String name, String x) {
        String two = graph.floats(name + "/two", SCALAR, new float[] {2f});
        String s = sigmoid(name, x);
        graph.node("Sub", name + "/two_minus_s", List.of(two, s), List.of(name + "/two_minus_s"));
        graph.node("Mul", name + "/p", List.of(s, name + "/two_minus_s"), List.of(name + "/p"));
        graph.node("Sub", name + "/two_minus_p", List.of(two, name + "/p"), List.of(name + "/two_minus_p"));
        graph.node("Div", name + "/tanh_softplus", List.of(name + "/p", name + "/two_minus_p"),
                List.of(name + "/tanh_softplus"));
        graph.node("Mul", name, List.of(x, name + "/tanh_softplus"), List.of(name));
    }

    private String sigmoid(String name, String x) {
        graph.node("Sigmoid", name + "/sigmoid", List.of(x), List.of(name + "/sigmoid"));
        return name + "/sigmoid";
    }

    @Override
    public Value maxPool(String name, Value x, int size, int stride, boolean same) {
        Shape in = x.shape();
        long[] pads = same ? samePads(in, size, stride) : new long[4];
        int outH = (int) ((in.height() + pads[0] + pads[2] - size) / stride + 1);
        int outW = (int) ((in.width() + pads[1] + pads[3] - size) / stride + 1);
        graph.node("MaxPool", name, List.of(tensor(x)), List.of(name), attr("kernel_shape", new long[] {size, size}),
                attr("strides", new long[] {stride, stride}), attr("pads", pads));
        return produce(name, new Shape(outH, outW, in.channels()), name);
    }

    @Override
    public Value slice(String name, Value x, int start, int count) {
        String starts = graph.longs(name + "/starts", new long[] {1}, new long[] {start});
        String ends = graph.longs(name + "/ends", new long[] {1}, new long[] {start + count});
        String axes = graph.longs(name + "/axes", new long[] {1}, new long[] {1});
        graph.node("Slice", name, List.of(tensor(x), starts, ends, axes), List.of(name));
        return produce(name, x.shape().withChannels(count), name);
    }

    @Override
    public List<Value> split(String name, Value x, int parts) {
        int each = x.shape().channels() / parts;
        long[] sizes = new long[parts];
        List<String> names = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            sizes[p] = each;
            names.add(name + "/" + p);
        }
        String split = graph.longs(name + "/sizes", new long[] {parts}, sizes);
        graph.node("Split", name, List.of(tensor(x), split), names, attr("axis", 1L));
        List<Value> out = new ArrayList<>();
        for (String n : names) {
            out.add(produce(n, x.shape().withChannels(each), n));
        }
        return out;
    }

    @Override
    public Value concat(String name, List<Value> parts) {
        int channels = parts.stream().mapToInt(p -> p.shape().channels()).sum();
        graph.node("Concat", name, parts.stream().map(this::tensor).toList(), List.of(name), attr("axis", 1L));
        return produce(name, parts.get(0).shape().withChannels(channels), name);
    }

    @Override
    public Value add(String name, Value a, Value b, boolean relu) {
        String sum = relu ? name + "/add" : name;
        graph.node("Add", sum, List.of(tensor(a), tensor(b)), List.of(sum));
        if (relu) {
            graph.node("Relu", name, List.of(sum), List.of(name));
        }
        return produce(name, a.shape(), name);
    }

    @Override
    public Value resizeNearest(String name, Value x, int factor) {
        String scales = graph.floats(name + "/scales", new long[] {4}, new float[] {1, 1, factor, factor});
        graph.node("Resize", name, List.of(tensor(x), "", scales), List.of(name), attr("mode", "nearest"),
                attr("coordinate_transformation_mode", "asymmetric"), attr("nearest_mode", "floor"));
        Shape s = x.shape();
        return produce(name, new Shape(s.height() * factor, s.width() * factor, s.channels()), name);
    }

    @Override
    public Value scale(String name, Value x, float factor) {
        String f = graph.floats(name + "/factor", SCALAR, new float[] {factor});
        graph.node("Mul", name, List.of(tensor(x), f), List.of(name));
        return produce(name, x.shape(), name);
    }

    /** Head k becomes graph output "head{k}", transposed to NHWC: the TFLite export's output layout. */
    @Override
    public void output(Value v) {
        String out = "head" + outputs.size();
        graph.node("Transpose", out, List.of(tensor(v)), List.of(out), attr("perm", new long[] {0, 2, 3, 1}));
        Shape s = v.shape();
        graph.output(out, OnnxSchema.FLOAT, List.of(batch(), OnnxGraph.Dim.of(s.height()), OnnxGraph.Dim.of(s.width()),
                OnnxGraph.Dim.of(s.channels())));
        outputs.add(out);
    }

    private static OnnxGraph.Attribute attr(String name, Object value) {
        return new OnnxGraph.Attribute(name, value);
    }
}
