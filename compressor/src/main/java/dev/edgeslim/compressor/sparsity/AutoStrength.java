package dev.edgeslim.compressor.sparsity;

import dev.edgeslim.detector.train.LearningRateSchedule;

import java.util.Arrays;

/**
 * A sparsity strength sized to the run, for {@code --strength auto}.
 * <p>
 * Why: the L1 step on γ is lr·s per iteration, amplified by SGD momentum m to lr·s/(1 − m) once it is steady, so
 * over a run the penalty alone can move a γ by D = s · Σ_t lr_t / (1 − m). A fixed s (the paper's 1e-3 over
 * hundreds of epochs) moves γ by a few thousandths in a short fine-tuning run and prunes nothing; a fixed large s
 * wrecks a long run. Auto picks s so that D is {@code reach} times the median |γ| of the prunable layers: weak
 * channels, which the detection loss does not defend, reach zero; strong ones are defended by the loss (and, with
 * the dynamic schedule, relaxed after the warm-up).
 */
public final class AutoStrength {
    /** Default reach: the penalty alone could carry a median channel 1.5 times its size towards zero. */
    public static final double DEFAULT_REACH = 1.5;

    private AutoStrength() {
    }

    /**
     * The strength s for which s · Σ_t lr_t·f_t / (1 − momentum) equals reach · median|γ|, capped at 1, where f_t is
     * the sparsity schedule's multiplier (1 for constant and dynamic — dynamic only relaxes the strong channels,
     * the weak ones keep s — and the ramp for linear, which would otherwise get a third of the travel).
     */
    public static double of(float[] prunableGammas, LearningRateSchedule schedule, SparsitySchedule sparsity,
                            long iterations, double momentum, double reach) {
        if (prunableGammas.length == 0 || iterations <= 0) {
            throw new IllegalArgumentException("auto strength needs prunable γ values and at least one iteration");
        }
        double travel = travelPerUnitStrength(schedule, sparsity, iterations, momentum);
        return Math.min(1, reach * medianMagnitude(prunableGammas) / travel);
    }

    /** How far a strength of 1 moves a γ over the run: Σ_t lr_t·f_t / (1 − momentum). */
    static double travelPerUnitStrength(LearningRateSchedule schedule, SparsitySchedule sparsity, long iterations,
                                        double momentum) {
        double sum = 0;
        for (long t = 0; t < iterations; t++) {
            sum += schedule.rate(t, iterations) * sparsity.factorAt(t, iterations);
        }
        return sum / (1 - Math.min(momentum, 0.999));
    }

    static double medianMagnitude(float[] values) {
        float[] m = new float[values.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.abs(values[i]);
        }
        Arrays.sort(m);
        int n = m.length;
        return n % 2 == 1 ? m[n / 2] : 0.5 * (m[n / 2 - 1] + m[n / 2]);
    }
}
