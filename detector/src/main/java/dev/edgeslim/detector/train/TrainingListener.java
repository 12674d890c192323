package dev.edgeslim.detector.train;

import java.util.Map;

/** Observes a training run: progress display, metric logs, periodic evaluation, checkpoints. */
public interface TrainingListener {
    /** Called once before the first step (also on resume, with the iteration training continues from). */
    default void onStart(long startIteration, long totalIterations) {
    }

    default void onStep(StepMetrics step) {
    }

    /**
     * Called after the last step of an epoch. Listeners may add results (e.g. "map50") to {@code results}, which
     * later listeners see.
     */
    default void onEpochEnd(int epoch, long iteration, Map<String, Double> results) {
    }

    default void onFinish(long iteration) {
    }
}
