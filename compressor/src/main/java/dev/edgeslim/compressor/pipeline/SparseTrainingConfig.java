package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.compressor.sparsity.AutoStrength;
import dev.edgeslim.compressor.sparsity.SparsitySchedule;
import dev.edgeslim.compressor.sparsity.SparsityWeighting;

import static dev.edgeslim.compressor.pipeline.ConfigException.require;

/**
 * Stage 1, sparse training: an L1 penalty on the BN γ of prunable convolutions under a schedule.
 *
 * @param strength the penalty's strength, or null: sized to the run ({@link AutoStrength}) with {@code reach}
 * @param warmup   dynamic schedule: fraction of the run at full strength
 * @param percentile dynamic schedule: channels above this global |γ| percentile are relaxed
 * @param weighting  how the strength is shared among layers (null, as in manifests written before it existed:
 *                   uniform)
 */
public record SparseTrainingConfig(TrainingSettings training, SparsitySchedule.Kind schedule, Double strength,
                                   double reach, double warmup, double percentile, SparsityWeighting weighting) {
    public SparseTrainingConfig {
        require(training != null && schedule != null, "training settings and schedule are required");
        weighting = weighting == null ? SparsityWeighting.UNIFORM : weighting;
        require(strength == null || (strength >= 0 && strength <= 1), "strength must be within [0, 1], got "
                + strength);
        require(reach >= 0.01 && reach <= 100, "reach must be within [0.01, 100], got " + reach);
        require(warmup >= 0 && warmup <= 1, "warmup must be within [0, 1], got " + warmup);
        require(percentile > 0 && percentile < 100, "percentile must be within (0, 100), got " + percentile);
    }

    /**
     * {@code compress}'s stage 1: 10 epochs at lr 0.002 after 50 warm-up iterations, evaluated at the end, the
     * dynamic schedule with an automatic strength. BatchNorm momentum 0.9: γ shrinks fast under the penalty, and
     * with the usual 0.99 the moving statistics lag behind the shrinking activations (measured: mAP 0 after one
     * epoch while the training loss was unchanged).
     */
    public static SparseTrainingConfig defaults() {
        return new SparseTrainingConfig(TrainingSettings.defaults().withEpochs(10).withLr(0.002).withBurnIn(50)
                .withBnMomentum(0.9).withEvalEvery(0), SparsitySchedule.Kind.DYNAMIC, null,
                AutoStrength.DEFAULT_REACH, 0.5, 65, SparsityWeighting.UNIFORM);
    }

    public SparseTrainingConfig withTraining(TrainingSettings t) {
        return new SparseTrainingConfig(t, schedule, strength, reach, warmup, percentile, weighting);
    }

    public SparseTrainingConfig withEpochs(int epochs) {
        return withTraining(training.withEpochs(epochs));
    }

    /** A fixed strength (null: automatic). */
    public SparseTrainingConfig withSchedule(SparsitySchedule.Kind kind, Double s) {
        return new SparseTrainingConfig(training, kind, s, reach, warmup, percentile, weighting);
    }

    public SparseTrainingConfig withReach(double r) {
        require(strength == null, "reach sizes the automatic strength; this configuration has a fixed strength");
        return new SparseTrainingConfig(training, schedule, strength, r, warmup, percentile, weighting);
    }

    public SparseTrainingConfig withDynamic(double warmupFraction, double relaxPercentile) {
        return new SparseTrainingConfig(training, schedule, strength, reach, warmupFraction, relaxPercentile, weighting);
    }

    public SparseTrainingConfig withWeighting(SparsityWeighting w) {
        return new SparseTrainingConfig(training, schedule, strength, reach, warmup, percentile, w);
    }

    /** The schedule, with strength 0 standing for "automatic" until the stage sizes it. */
    public SparsitySchedule sparsitySchedule() {
        double s = strength == null ? 0 : strength;
        SparsitySchedule base = switch (schedule) {
            case CONSTANT -> SparsitySchedule.constant(s);
            case DYNAMIC -> SparsitySchedule.dynamic(s);
            case LINEAR -> SparsitySchedule.linear(s);
        };
        return base.withWarmup(warmup).withPercentile(percentile);
    }
}
