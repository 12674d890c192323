package dev.edgeslim.detector.train;

import dev.edgeslim.detector.graph.ModelVariable;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

import java.util.List;

/**
 * Changes gradients before the optimiser applies them, e.g. sparsity training's γ.grad += s·sign(γ). Built once
 * into the graph; per step it may feed values (a schedule's current strength) and observe fetched tensors
 * (e.g. the current |γ| to compute a percentile for the next step).
 */
public interface GradientModifier {
    String name();

    /** The gradient to apply to {@code variable} instead of {@code gradient} (return it unchanged to skip). */
    Operand<TFloat32> modify(TrainingContext context, ModelVariable variable, Operand<TFloat32> gradient);

    /** Feeds for the coming step (0-based iteration of {@code total}). */
    default void feed(StepFeeds feeds, long iteration, long total) {
    }

    /** Tensors this modifier wants fetched with every step (e.g. γ values). */
    default List<Operand<TFloat32>> fetches() {
        return List.of();
    }

    /** Receives the values of {@link #fetches()} after each step, in the same order. */
    default void observe(List<float[]> values, long iteration) {
    }

    /** A scalar to log with the step (e.g. the L1 penalty's current value), or NaN. */
    default double logValue() {
        return Double.NaN;
    }
}
