package dev.edgeslim.detector.weights;

/**
 * Batch norm folded into a convolution, as every inference path needs it (the constant TF graph and the TFLite
 * export): kernel' = kernel·γ/√(var+ε) and bias' = β − mean·γ/√(var+ε), computed in double and rounded once, so
 * both paths hold bit-identical weights.
 */
public final class BatchNormFolding {
    /** darknet's batch-norm epsilon; the training graph's FusedBatchNorm uses the same float. */
    public static final float EPSILON = 1e-5f;

    /** A folded convolution: darknet's OIHW kernel layout and one bias per filter. */
    public record Folded(float[] oihw, float[] bias) {
    }

    private BatchNormFolding() {
    }

    /** Folds {@code w}; weights without batch norm come back as copies, unchanged. */
    public static Folded fold(ConvWeights w) {
        float[] oihw = w.weights().clone();
        float[] bias = w.biases().clone();
        if (!w.batchNormalized()) {
            return new Folded(oihw, bias);
        }
        int filters = bias.length;
        int perFilter = oihw.length / filters;
        for (int o = 0; o < filters; o++) {
            double gain = w.scales()[o] / Math.sqrt((double) w.rollingVariance()[o] + EPSILON);
            bias[o] = (float) (w.biases()[o] - w.rollingMean()[o] * gain);
            for (int k = o * perFilter; k < (o + 1) * perFilter; k++) {
                oihw[k] = (float) (oihw[k] * gain);
            }
        }
        return new Folded(oihw, bias);
    }
}
