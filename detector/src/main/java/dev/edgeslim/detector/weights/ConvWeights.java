package dev.edgeslim.detector.weights;

import java.util.Arrays;

/**
 * One convolution's parameters in darknet's layout: {@code biases} (BN β when batch-normalised), BN
 * {@code scales} (γ), {@code rollingMean}, {@code rollingVariance} (all null without BN), and {@code weights}
 * in OIHW order [filters][channels/groups][size][size]. Arrays are owned by this object; callers must not
 * modify them (use {@link #copy} first).
 */
public final class ConvWeights {
    private final float[] biases;
    private final float[] scales;
    private final float[] rollingMean;
    private final float[] rollingVariance;
    private final float[] weights;

    public ConvWeights(float[] biases, float[] scales, float[] rollingMean, float[] rollingVariance, float[] weights) {
        boolean bn = scales != null;
        if (bn != (rollingMean != null) || bn != (rollingVariance != null)) {
            throw new IllegalArgumentException("scales, rolling mean and variance must be all present or all absent");
        }
        int n = biases.length;
        if (bn && (scales.length != n || rollingMean.length != n || rollingVariance.length != n)) {
            throw new IllegalArgumentException("BN arrays must all have " + n + " entries");
        }
        if (n == 0 || weights.length % n != 0) {
            throw new IllegalArgumentException(weights.length + " weights do not split into " + n + " filters");
        }
        this.biases = biases;
        this.scales = scales;
        this.rollingMean = rollingMean;
        this.rollingVariance = rollingVariance;
        this.weights = weights;
    }

    public boolean batchNormalized() {
        return scales != null;
    }

    public int filters() {
        return biases.length;
    }

    /** Weights per filter: (channels/groups) x size x size. */
    public int weightsPerFilter() {
        return weights.length / biases.length;
    }

    public float[] biases() {
        return biases;
    }

    public float[] scales() {
        return scales;
    }

    public float[] rollingMean() {
        return rollingMean;
    }

    public float[] rollingVariance() {
        return rollingVariance;
    }

    public float[] weights() {
        return weights;
    }

    /** Total floats in darknet's file for this layer. */
    public long floatCount() {
        return (long) biases.length * (batchNormalized() ? 4 : 1) + weights.length;
    }

    public ConvWeights copy() {
        return new ConvWeights(biases.clone(), scales == null ? null : scales.clone(),
                rollingMean == null ? null : rollingMean.clone(),
                rollingVariance == null ? null : rollingVariance.clone(), weights.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvWeights w && Arrays.equals(biases, w.biases) && Arrays.equals(scales, w.scales)
                && Arrays.equals(rollingMean, w.rollingMean) && Arrays.equals(rollingVariance, w.rollingVariance)
                && Arrays.equals(weights, w.weights);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(biases) * 31 + Arrays.hashCode(weights);
    }
}
