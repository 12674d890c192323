package dev.edgeslim.detector.train;

import java.util.List;

/**
 * Learning rate per iteration: darknet's burn-in warm-up (lr·(i/burnIn)^power) followed by a cosine decay to
 * {@code minFactor}·lr, a step schedule, or a constant rate.
 */
public record LearningRateSchedule(double baseRate, int burnIn, double burnInPower, Policy policy,
                                   List<Double> stepFractions, double stepScale, double minFactor) {

    public enum Policy { CONSTANT, STEPS, COSINE }

    public LearningRateSchedule {
        stepFractions = List.copyOf(stepFractions);
        if (!(baseRate > 0) || burnIn < 0) {
            throw new IllegalArgumentException("learning rate must be positive and burn-in non-negative");
        }
    }

    /** Cosine decay to 5% with a darknet-style warm-up of {@code burnIn} iterations. */
    public static LearningRateSchedule cosine(double baseRate, int burnIn) {
        return new LearningRateSchedule(baseRate, burnIn, 4, Policy.COSINE, List.of(), 0.1, 0.05);
    }

    /** Steps at 80% and 90% of the run, ×0.1 each, as darknet's yolov4.cfg. */
    public static LearningRateSchedule steps(double baseRate, int burnIn) {
        return new LearningRateSchedule(baseRate, burnIn, 4, Policy.STEPS, List.of(0.8, 0.9), 0.1, 0);
    }

    public static LearningRateSchedule constant(double baseRate) {
        return new LearningRateSchedule(baseRate, 0, 4, Policy.CONSTANT, List.of(), 1, 1);
    }

    /** The rate for 0-based {@code iteration} of a run of {@code total} iterations. */
    public double rate(long iteration, long total) {
        if (iteration < burnIn) {
            return baseRate * Math.pow((iteration + 1.0) / burnIn, burnInPower);
        }
        return switch (policy) {
            case CONSTANT -> baseRate;
            case STEPS -> {
                double r = baseRate;
                for (double f : stepFractions) {
                    if (iteration >= f * total) {
                        r *= stepScale;
                    }
                }
                yield r;
            }
            case COSINE -> {
                long span = Math.max(1, total - burnIn);
                double progress = Math.min(1.0, (double) (iteration - burnIn) / span);
                yield baseRate * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
            }
        };
    }
}
