package dev.edgeslim.detector.graph;

/** What a convolution parameter variable holds (darknet names in brackets). */
public enum ParamKind {
    /** The kernel, HWIO in TF ([weights], OIHW in darknet). */
    KERNEL(true),
    /** The bias of a convolution without batch norm ([biases]). */
    BIAS(true),
    /** Batch-norm scale γ ([scales]). */
    BN_GAMMA(true),
    /** Batch-norm shift β (darknet keeps it in [biases]). */
    BN_BETA(true),
    /** Batch-norm moving mean ([rolling_mean]); updated by moving-average ops, not by gradients. */
    MOVING_MEAN(false),
    /** Batch-norm moving variance ([rolling_variance]); updated by moving-average ops, not by gradients. */
    MOVING_VARIANCE(false);

    private final boolean trainable;

    ParamKind(boolean trainable) {
        this.trainable = trainable;
    }

    /** True for parameters optimised by gradients. */
    public boolean trainable() {
        return trainable;
    }
}
