package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.model.Activation;

/**
 * Emits a float32 graph. Weights and biases are float32 constants, or (fp16) FLOAT16 constants each followed
 * by a DEQUANTIZE to float32 — half the file size, while every op still computes in float32 (the runtime
 * dequantizes constant inputs once, at preparation).
 * <p>
 * Activations: LEAKY → LEAKY_RELU(0.1), RELU → fused into the producing op or RELU, LOGISTIC → LOGISTIC,
 * SWISH → x · LOGISTIC(x), MISH → x · tanh(softplus(x)) written without TANH/LOG as
 * x · n / (n + 2) with n = e·(e + 2), e = exp(min(x, 20)): tanh(log(1 + e)) = ((1 + e)² − 1)/((1 + e)² + 1).
 * This is exact algebra, has no cancellation for negative x (n keeps full relative precision as e → 0) and
 * cannot overflow (for x ≥ 20 the factor is 1 in float32).
 */
final class FloatEmitter extends TfliteEmitter {
    /** Above this the Mish factor tanh(softplus(x)) is 1 in float32; clamping keeps exp finite. */
    static final float MISH_EXP_CLAMP = 20f;

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

    private int temporary(String name, Value like) {
        return graph.addActivation(name, like.nhwc(), TfliteSchema.FLOAT32, null);
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
    public Value activation(String name, Value x, Activation activation) {
        Value out = newValue(name, x.shape());
        int[] y = {out.tensor()};
        switch (activation) {
            case LEAKY -> op(TfliteOp.LEAKY_RELU, new int[] {x.tensor()}, y, new OpOptions.LeakyRelu(Activation.LEAKY_SLOPE));
            case RELU -> op(TfliteOp.RELU, new int[] {x.tensor()}, y, null);
            case LOGISTIC -> op(TfliteOp.LOGISTIC, new int[] {x.tensor()}, y, null);
            case SWISH -> {
                int s = temporary(name + "/sigmoid", x);
                op(TfliteOp.LOGISTIC, new int[] {x.tensor()}, new int[] {s}, null);
                op(TfliteOp.MUL, new int[] {x.tensor(), s}, y, OpOptions.mul());
            }
            case MISH -> mish(name, x, y);
            case LINEAR -> throw new IllegalArgumentException("LINEAR is not an op");
        }
        computed(out);
        return out;
    }

    /** y = x · n / (n + 2), n = e · (e + 2), e = exp(min(x, 20)): Mish without TANH or LOG. */
    private void mish(String name, Value x, int[] y) {
        int two = scalar(name + "/two", 2f);
        int clamped = temporary(name + "/clamped", x);
        op(TfliteOp.MINIMUM, new int[] {x.tensor(), scalar(name + "/clamp", MISH_EXP_CLAMP)}, new int[] {clamped},
                new OpOptions.Empty(TfliteSchema.OPT_MAXIMUM_MINIMUM));
        int e = temporary(name + "/exp", x);
        op(TfliteOp.EXP, new int[] {clamped}, new int[] {e}, new OpOptions.Empty(TfliteSchema.OPT_EXP));
        int ePlus2 = temporary(name + "/exp_plus_2", x);
        op(TfliteOp.ADD, new int[] {e, two}, new int[] {ePlus2}, OpOptions.add(false));
        int n = temporary(name + "/n", x);
        op(TfliteOp.MUL, new int[] {e, ePlus2}, new int[] {n}, OpOptions.mul());
        int nPlus2 = temporary(name + "/n_plus_2", x);
        op(TfliteOp.ADD, new int[] {n, two}, new int[] {nPlus2}, OpOptions.add(false));
        int factor = temporary(name + "/tanh_softplus", x);
        op(TfliteOp.DIV, new int[] {n, nPlus2}, new int[] {factor}, OpOptions.div());
        op(TfliteOp.MUL, new int[] {x.tensor(), factor}, y, OpOptions.mul());
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
