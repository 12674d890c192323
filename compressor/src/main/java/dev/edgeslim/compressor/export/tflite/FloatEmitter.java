package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.compressor.export.lowering.Value;
import dev.edgeslim.compressor.export.lowering.ConvKernel;
import dev.edgeslim.compressor.export.lowering.ModelNotExportableException;
import dev.edgeslim.detector.model.Activation;

/**
 * Emits a float32 graph. Weights and biases are float32 constants, or (fp16) FLOAT16 constants each followed
 * by a DEQUANTIZE to float32 — half the file size, while every op still computes in float32 (the runtime
 * dequantizes constant inputs once, at preparation).
 * <p>
 * Activations: LEAKY → LEAKY_RELU(0.1), RELU → fused into the producing op or RELU, LOGISTIC → LOGISTIC,
 * SWISH and MISH → compositions of LOGISTIC, SUB, MUL and DIV ({@link FloatActivationOps}).
 */
final class FloatEmitter extends TfliteEmitter {
    private final boolean fp16Weights;

    /**
     * @param fp16Weights store weights and biases as float16
     * @param sharing     records int8 parameter-sharing constraints when this graph is the calibration model
     */
    FloatEmitter(boolean fp16Weights, ParamSharing sharing) {
        super(sharing);
        this.fp16Weights = fp16Weights;
    }

    @Override
    protected byte dtype() {
        return TfliteSchema.FLOAT32;
    }

    @Override
    protected TfliteGraph.Quantization quantization(String name) {
        return null;
    }

    @Override
    protected int version(TfliteOp op) {
        // DEQUANTIZE of float16 is version 3 in TFLite's op_version rules; float kernels are version 1
        return op == TfliteOp.DEQUANTIZE ? 3 : 1;
    }

    @Override
    protected int lowestConstant(Value like) {
        return graph.addFloatConstant(like.name() + "/lowest", new int[] {1}, new float[] {-Float.MAX_VALUE});
    }

    /** Makes every arithmetically computed map a model output too, for calibration. */
    void exposeComputedValues() {
        if (sharing == null) {
            throw new IllegalStateException("no calibration bookkeeping in this emitter");
        }
        for (String name : sharing.sources()) {
            Value v = values.get(name);
            if (!graph.inputs().contains(v.tensor()) && outputs.add(v.tensor())) {
                graph.addOutput(v.tensor());
            }
        }
    }

    /** A float32 constant: stored as float32, or as float16 plus a DEQUANTIZE. */
    private int constant(String name, int[] shape, float[] values) {
        if (!fp16Weights) {
            return graph.addFloatConstant(name, shape, values);
        }
        for (float v : values) {
            if (!(Math.abs(v) <= Float16.MAX)) {
                throw new ModelNotExportableException("'" + name + "' holds " + v
                        + ", outside the float16 range (±65504); export fp32 or int8 instead");
            }
        }
        int half = graph.addConstant(name + "/fp16", shape, TfliteSchema.FLOAT16, Float16.bytes(values), null);
        int full = graph.addActivation(name, shape, TfliteSchema.FLOAT32, null);
        op(TfliteOp.DEQUANTIZE, new int[] {half}, new int[] {full}, new OpOptions.Empty(TfliteSchema.OPT_DEQUANTIZE));
        return full;
    }

    private int scalar(String name, float value) {
        return graph.addFloatConstant(name, new int[] {1}, new float[] {value});
    }

    @Override
    public Value conv(String name, Value x, ConvKernel k, int stride, boolean same, boolean relu) {
        Value out = newValue(name, windowed(x.shape(), k.size(), stride, same, k.filters()));
        int w = constant(name + "/weights", k.ohwiShape(), k.weights());
        int b = constant(name + "/bias", new int[] {k.filters()}, k.bias());
        op(TfliteOp.CONV_2D, new int[] {x.tensor(), w, b}, new int[] {out.tensor()},
                new OpOptions.Conv2D(same ? TfliteSchema.PADDING_SAME : TfliteSchema.PADDING_VALID, stride,
                        relu ? TfliteSchema.ACT_RELU : TfliteSchema.ACT_NONE));
        computed(out);
        return out;
    }

    @Override
    public Value depthwiseConv(String name, Value x, ConvKernel k, int stride, boolean same, boolean relu) {
        Value out = newValue(name, windowed(x.shape(), k.size(), stride, same, k.filters()));
        int w = constant(name + "/weights", k.depthwiseShape(), k.depthwiseWeights());
        int b = constant(name + "/bias", new int[] {k.filters()}, k.bias());
        op(TfliteOp.DEPTHWISE_CONV_2D, new int[] {x.tensor(), w, b}, new int[] {out.tensor()},
                new OpOptions.DepthwiseConv2D(same ? TfliteSchema.PADDING_SAME : TfliteSchema.PADDING_VALID, stride,
                        k.filters() / x.shape().channels(), relu ? TfliteSchema.ACT_RELU : TfliteSchema.ACT_NONE));
        computed(out);
        return out;
    }

    @Override
    protected void smoothActivation(String name, Value x, Value out, Activation f) {
        new FloatActivationOps(graph).emit(name, f, x.tensor(), out.tensor(), x.nhwc());
    }

    @Override
    public Value add(String name, Value a, Value b, boolean relu) {
        Value out = newValue(name, a.shape());
        op(TfliteOp.ADD, new int[] {a.tensor(), b.tensor()}, new int[] {out.tensor()},
                OpOptions.add(relu));
        computed(out);
        return out;
    }

    @Override
    public Value scale(String name, Value x, float factor) {
        Value out = newValue(name, x.shape());
        op(TfliteOp.MUL, new int[] {x.tensor(), scalar(name + "/factor", factor)}, new int[] {out.tensor()},
                OpOptions.mul());
        computed(out);
        return out;
    }
}
