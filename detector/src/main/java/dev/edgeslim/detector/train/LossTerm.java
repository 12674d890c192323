package dev.edgeslim.detector.train;

import dev.edgeslim.detector.data.Batch;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * One additive term of the training loss (detection loss, attention distillation, ...). Built once into the
 * graph; fed per step. Its value is logged under {@link #name()}.
 */
public interface LossTerm {
    String name();

    /** Builds the scalar loss of this term in the training graph. */
    Operand<TFloat32> build(TrainingContext context);

    /** Extra named scalars to log with each step (parts of this term, e.g. box/obj/cls); not added again. */
    default java.util.Map<String, Operand<TFloat32>> logged() {
        return java.util.Map.of();
    }

    /** Feeds this term's per-step inputs (e.g. detection targets) for {@code batch}. */
    default void feed(StepFeeds feeds, Batch batch) {
    }
}
