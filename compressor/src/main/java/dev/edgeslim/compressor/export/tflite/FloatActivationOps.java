package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.model.Activation;

/**
 * Float32 compositions of the activations TFLite has no single builtin for, written only with ops the XNNPACK
 * delegate takes (LOGISTIC, SUB, MUL, DIV), so a Mish network is not cut into many small delegated pieces with
 * TFLite's reference kernels in between. Used by the float graph and by the float islands of the int8 graph.
 * <p>
 * Mish: with s = σ(x), tanh(softplus(x)) = ((1 + eˣ)² − 1)/((1 + eˣ)² + 1), and 1 + eˣ = 1/(1 − s), so the factor
 * is p / (2 − p) with p = s(2 − s). Exact algebra, no EXP or LOG, nothing can overflow (s ∈ [0, 1], 2 − p ≥ 1), and
 * no cancellation for negative x: s keeps full relative precision as eˣ → 0 and the factor is ≈ s there.
 */
final class FloatActivationOps {
    /** Every op here computes in float32: TFLite's version 1 of each. */
    private static final int FLOAT_VERSION = 1;

    private final TfliteGraph graph;

    FloatActivationOps(TfliteGraph graph) {
        this.graph = graph;
    }

    /** Whether {@link #emit} writes {@code activation} (LEAKY, RELU and LINEAR are single builtins or nothing). */
    static boolean composes(Activation activation) {
        return activation == Activation.MISH || activation == Activation.SWISH || activation == Activation.LOGISTIC;
    }

    /** y = activation(x) for float32 tensors {@code x} and {@code y} of shape {@code nhwc}. */
    void emit(String name, Activation activation, int x, int y, int[] nhwc) {
        switch (activation) {
            case LOGISTIC -> op(TfliteOp.LOGISTIC, new int[] {x}, y, null);
            case SWISH -> op(TfliteOp.MUL, new int[] {x, sigmoid(name, x, nhwc)}, y, OpOptions.mul());
            case MISH -> mish(name, x, y, nhwc);
            default -> throw new IllegalArgumentException(activation + " is not composed of float ops");
        }
    }

    /** y = x · p / (2 − p), p = s · (2 − s), s = σ(x) (see the class comment). */
    private void mish(String name, int x, int y, int[] nhwc) {
        int two = graph.addFloatConstant(name + "/two", new int[] {1}, new float[] {2f});
        int s = sigmoid(name, x, nhwc);
        int twoMinusS = temporary(name + "/two_minus_s", nhwc);
        op(TfliteOp.SUB, new int[] {two, s}, twoMinusS, OpOptions.sub());
        int p = temporary(name + "/p", nhwc);
        op(TfliteOp.MUL, new int[] {s, twoMinusS}, p, OpOptions.mul());
        int twoMinusP = temporary(name + "/two_minus_p", nhwc);
        op(TfliteOp.SUB, new int[] {two, p}, twoMinusP, OpOptions.sub());
        int factor = temporary(name + "/tanh_softplus", nhwc);
        op(TfliteOp.DIV, new int[] {p, twoMinusP}, factor, OpOptions.div());
        op(TfliteOp.MUL, new int[] {x, factor}, y, OpOptions.mul());
    }

    private int sigmoid(String name, int x, int[] nhwc) {
        int s = temporary(name + "/sigmoid", nhwc);
        op(TfliteOp.LOGISTIC, new int[] {x}, s, null);
        return s;
    }

    private int temporary(String name, int[] nhwc) {
        return graph.addActivation(name, nhwc, TfliteSchema.FLOAT32, null);
    }

    private void op(TfliteOp op, int[] in, int out, OpOptions options) {
        graph.addOperator(op, FLOAT_VERSION, in, new int[] {out}, options);
    }
}
