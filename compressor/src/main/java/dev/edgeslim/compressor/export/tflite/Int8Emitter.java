package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.compressor.export.lowering.Value;
import dev.edgeslim.compressor.export.lowering.ConvKernel;
import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Emits a full-integer graph: int8 feature maps (per-tensor asymmetric, parameters from calibration via
 * {@link ParamSharing}), int8 convolution weights quantized per output channel and symmetric (zero point 0,
 * values in [−127, 127], quantized_dimension 0 on OHWI, 3 on depthwise [1,H,W,C]), int32 biases with scale
 * input_scale · weight_scale[c].
 * <p>
 * Activations: LEAKY → int8 LEAKY_RELU, RELU → fused or int8 RELU. MISH, SWISH and LOGISTIC have no exact int8
 * builtin (int8 LOGISTIC fixes its output scale to 1/256). The input has only 256 possible values, and both forms
 * below give the correctly rounded int8 value of f at each of them:
 * <ul>
 *   <li>float island (default): DEQUANTIZE, the float32 composition of {@link FloatActivationOps}, QUANTIZE to the
 *   calibrated output parameters. Every op is one the XNNPACK delegate takes, so a Mish network runs as one
 *   delegated graph (a table lookup left 288 of 406 nodes of yolov4-w0.25 outside XNNPACK).</li>
 *   <li>integer only: a per-tensor lookup table, table[q + 128] = quantize(f(dequantize(q))), built from integer
 *   builtins (CAST int8→int32, ADD 128, GATHER from the 256-entry int8 table), so the model has no float tensor,
 *   for runtimes and accelerators that take integer ops only.</li>
 * </ul>
 * <p>
 * Float I/O: the model input is a float32 tensor named like the image, QUANTIZEd to the int8 map
 * {@code NAME/int8} (the image's parameters); each output is DEQUANTIZEd to a float32 tensor
 * {@code NAME/float}. The integer graph in between is unchanged, so its outputs are the int8 ones, dequantized.
 */
final class Int8Emitter extends TfliteEmitter {
    private final Map<String, QuantParams> plan;
    private final boolean floatIo;
    private final boolean integerOnly;

    Int8Emitter(Map<String, QuantParams> plan, boolean floatIo, boolean integerOnly) {
        super(null);
        this.plan = new HashMap<>(plan);
        this.floatIo = floatIo;
        this.integerOnly = integerOnly;
    }

    QuantParams params(String name) {
        QuantParams p = plan.get(name);
        if (p == null) {
            throw new IllegalStateException("no quantization planned for '" + name + "'");
        }
        return p;
    }

    @Override
    public Value input(String name, Shape shape) {
        if (!floatIo) {
            return super.input(name, shape);
        }
        int image = graph.addActivation(name, new int[] {1, shape.height(), shape.width(), shape.channels()},
                TfliteSchema.FLOAT32, null);
        graph.addInput(image);
        String quantized = name + "/int8";
        plan.put(quantized, params(name));
        Value q = newValue(quantized, shape);
        op(TfliteOp.QUANTIZE, new int[] {image}, new int[] {q.tensor()},
                new OpOptions.Empty(TfliteSchema.OPT_QUANTIZE));
        return q;
    }

    @Override
    public void output(Value v) {
        if (!floatIo) {
            super.output(v);
            return;
        }
        if (!outputs.add(v.tensor())) {
            throw new IllegalArgumentException("'" + v.name() + "' is already a model output");
        }
        int real = graph.addActivation(v.name() + "/float", v.nhwc(), TfliteSchema.FLOAT32, null);
        op(TfliteOp.DEQUANTIZE, new int[] {v.tensor()}, new int[] {real},
                new OpOptions.Empty(TfliteSchema.OPT_DEQUANTIZE));
        graph.addOutput(real);
    }

    @Override
    protected byte dtype() {
        return TfliteSchema.INT8;
    }

    @Override
    protected TfliteGraph.Quantization quantization(String name) {
        return TfliteGraph.Quantization.perTensor(params(name));
    }

    @Override
    protected int version(TfliteOp op) {
        // op_version.cc: per-channel int8 convolutions are version 3, RESHAPE and CAST are 1 for these types, other
        // int8 ops 2 (float islands and the int32 ADD of a lookup set 1 themselves)
        return switch (op) {
            case CONV_2D, DEPTHWISE_CONV_2D -> 3;
            case RESHAPE, CAST -> 1;
            default -> 2;
        };
    }

    @Override
    protected int lowestConstant(Value like) {
        return graph.addConstant(like.name() + "/lowest", new int[] {1}, TfliteSchema.INT8,
                new byte[] {(byte) QuantParams.QMIN}, quantization(like.name()));
    }

    @Override
    public Value conv(String name, Value x, ConvKernel k, int stride, boolean same, boolean relu) {
        Value out = newValue(name, windowed(x.shape(), k.size(), stride, same, k.filters()));
        int[] wb = quantizedKernel(name, x, k, k.weights(), k.ohwiShape(), 0);
        op(TfliteOp.CONV_2D, new int[] {x.tensor(), wb[0], wb[1]}, new int[] {out.tensor()},
                new OpOptions.Conv2D(same ? TfliteSchema.PADDING_SAME : TfliteSchema.PADDING_VALID, stride,
                        relu ? TfliteSchema.ACT_RELU : TfliteSchema.ACT_NONE));
        return out;
    }

    @Override
    public Value depthwiseConv(String name, Value x, ConvKernel k, int stride, boolean same, boolean relu) {
        Value out = newValue(name, windowed(x.shape(), k.size(), stride, same, k.filters()));
        int[] wb = quantizedKernel(name, x, k, k.depthwiseWeights(), k.depthwiseShape(), 3);
        op(TfliteOp.DEPTHWISE_CONV_2D, new int[] {x.tensor(), wb[0], wb[1]}, new int[] {out.tensor()},
                new OpOptions.DepthwiseConv2D(same ? TfliteSchema.PADDING_SAME : TfliteSchema.PADDING_VALID, stride,
                        k.filters() / x.shape().channels(), relu ? TfliteSchema.ACT_RELU : TfliteSchema.ACT_NONE));
        return out;
    }

    /**
     * Per-channel symmetric int8 weights and int32 biases; returns {weight tensor, bias tensor}.
     * {@code laidOut} holds the weights in the tensor's own order, with the filter index on {@code dimension}.
     */
    private int[] quantizedKernel(String name, Value x, ConvKernel k, float[] laidOut, int[] shape, int dimension) {
        double inputScale = params(x.name()).scale();
        int filters = k.filters();
        double[] maxAbs = new double[filters];
        int stride = dimension == 0 ? k.perFilter() : 1;
        for (int i = 0; i < laidOut.length; i++) {
            int f = dimension == 0 ? i / stride : i % filters;
            maxAbs[f] = Math.max(maxAbs[f], Math.abs(laidOut[i]));
        }
        float[] weightScale = new float[filters];
        float[] biasScale = new float[filters];
        for (int f = 0; f < filters; f++) {
            // the bias must fit int32 at scale input·weight: a pruned (all-zero) filter with a bias gets a
            // weight scale large enough for it, and a scale is never 0
            double s = Math.max(maxAbs[f] / 127.0, Math.abs(k.bias()[f]) / (inputScale * (1 << 30)));
            weightScale[f] = (float) Math.max(s, 1e-12);
            biasScale[f] = (float) (inputScale * weightScale[f]);
        }
        byte[] q = new byte[laidOut.length];
        for (int i = 0; i < laidOut.length; i++) {
            int f = dimension == 0 ? i / stride : i % filters;
            long v = Math.round(laidOut[i] / (double) weightScale[f]);
            q[i] = (byte) Math.max(-127, Math.min(127, v));
        }
        ByteBuffer bias = ByteBuffer.allocate(4 * filters).order(ByteOrder.LITTLE_ENDIAN);
        for (int f = 0; f < filters; f++) {
            bias.putInt((int) Math.round(k.bias()[f] / (double) biasScale[f]));
        }
        long[] zeros = new long[filters];
        int w = graph.addConstant(name + "/weights", shape, TfliteSchema.INT8, q,
                new TfliteGraph.Quantization(weightScale, zeros, dimension));
        int b = graph.addConstant(name + "/bias", new int[] {filters}, TfliteSchema.INT32, bias.array(),
                new TfliteGraph.Quantization(biasScale, zeros, 0));
        return new int[] {w, b};
    }

    @Override
    protected void smoothActivation(String name, Value x, Value out, Activation f) {
        if (integerOnly) {
            lookup(name, x, out, f);
        } else {
            floatIsland(name, x, out, f);
        }
    }

    /** out = QUANTIZE(f(DEQUANTIZE(x))), f in float32 ({@link FloatActivationOps}). */
    private void floatIsland(String name, Value x, Value out, Activation f) {
        int in = graph.addActivation(name + "/float_in", x.nhwc(), TfliteSchema.FLOAT32, null);
        op(TfliteOp.DEQUANTIZE, new int[] {x.tensor()}, new int[] {in}, new OpOptions.Empty(TfliteSchema.OPT_DEQUANTIZE));
        int result = graph.addActivation(name + "/float_out", x.nhwc(), TfliteSchema.FLOAT32, null);
        new FloatActivationOps(graph).emit(name, f, in, result, x.nhwc());
        op(TfliteOp.QUANTIZE, new int[] {result}, new int[] {out.tensor()}, new OpOptions.Empty(TfliteSchema.OPT_QUANTIZE));
    }

    /** out = table[x + 128] with CAST, ADD and GATHER (see the class comment). */
    private void lookup(String name, Value x, Value out, Activation f) {
        QuantParams in = params(x.name());
        QuantParams result = params(out.name());
        byte[] table = new byte[256];
        for (int i = 0; i < 256; i++) {
            table[i] = (byte) result.quantize(f.apply(in.dequantize(i + QuantParams.QMIN)));
        }
        int tableTensor = graph.addConstant(name + "/table", new int[] {256}, TfliteSchema.INT8, table,
                quantization(out.name()));
        int wide = graph.addActivation(name + "/q32", x.nhwc(), TfliteSchema.INT32, null);
        op(TfliteOp.CAST, new int[] {x.tensor()}, new int[] {wide},
                new OpOptions.Cast(TfliteSchema.INT8, TfliteSchema.INT32));
        int index = graph.addActivation(name + "/index", x.nhwc(), TfliteSchema.INT32, null);
        int offset = graph.addIntConstant(name + "/offset", new int[] {1}, new int[] {-QuantParams.QMIN});
        graph.addOperator(TfliteOp.ADD, 1, new int[] {wide, offset}, new int[] {index}, OpOptions.add(false));
        op(TfliteOp.GATHER, new int[] {tableTensor, index}, new int[] {out.tensor()}, new OpOptions.Gather(0));
    }

    @Override
    public Value add(String name, Value a, Value b, boolean relu) {
        Value out = newValue(name, a.shape());
        op(TfliteOp.ADD, new int[] {a.tensor(), b.tensor()}, new int[] {out.tensor()},
                OpOptions.add(relu));
        return out;
    }

    @Override
    public Value scale(String name, Value x, float factor) {
        Value out = newValue(name, x.shape());
        double s = factor == 0 ? 1 : Math.abs(factor) / 127.0;
        byte q = (byte) (factor == 0 ? 0 : factor > 0 ? 127 : -127);
        int constant = graph.addConstant(name + "/factor", new int[] {1}, TfliteSchema.INT8, new byte[] {q},
                TfliteGraph.Quantization.perTensor(new QuantParams(s, 0)));
        op(TfliteOp.MUL, new int[] {x.tensor(), constant}, new int[] {out.tensor()},
                OpOptions.mul());
        return out;
    }
}
