package dev.edgeslim.compressor.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times several runtimes on the same input, interleaved: every round runs each model once in turn (alternating
 * the order between rounds), so a machine that throttles or is shared slows all of them alike and their ratio
 * stays meaningful. Warm-up rounds (first runs pay for graph optimisation and memory allocation) are not recorded.
 */
public final class LatencyBenchmark {
    /** Called after every timed or warm-up forward pass (for progress bars). */
    @FunctionalInterface
    public interface Progress {
        void step();
    }

    private LatencyBenchmark() {
    }

    /** Runs {@code warmup} then {@code runs} interleaved rounds; returns each model's stats by name, in order. */
    public static Map<String, LatencyStats> measure(List<? extends TimedModel> models, float[] input, int batch,
                                                    int warmup, int runs, Progress progress) {
        List<float[]> inputs = java.util.Collections.nCopies(models.size(), input);
        List<LatencyStats> stats = measureEach(models, inputs, batch, warmup, runs, progress);
        Map<String, LatencyStats> out = new LinkedHashMap<>();
        for (int m = 0; m < models.size(); m++) {
            out.put(models.get(m).name(), stats.get(m));
        }
        return out;
    }

    /**
     * As {@link #measure}, each model with its own input (models of different input sizes share one interleaved
     * run); returns the stats in the order of {@code models}, whatever their names.
     */
    public static List<LatencyStats> measureEach(List<? extends TimedModel> models, List<float[]> inputs, int batch,
                                                 int warmup, int runs, Progress progress) {
        if (runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("need runs >= 1 and warmup >= 0, got " + runs + " and " + warmup);
        }
        if (inputs.size() != models.size()) {
            throw new IllegalArgumentException(models.size() + " models but " + inputs.size() + " inputs");
        }
        double[][] samples = new double[models.size()][runs];
        for (int round = 0; round < warmup + runs; round++) {
            for (int k = 0; k < models.size(); k++) {
                int m = round % 2 == 0 ? k : models.size() - 1 - k;
                float[] input = inputs.get(m);
                long start = System.nanoTime();
                models.get(m).run(input, batch);
                double ms = (System.nanoTime() - start) / 1e6;
                if (round >= warmup) {
                    samples[m][round - warmup] = ms;
                }
                progress.step();
            }
        }
        List<LatencyStats> out = new ArrayList<>(models.size());
        for (double[] s : samples) {
            out.add(LatencyStats.of(s));
        }
        return out;
    }

    /**
     * A fixed pseudo-random image in [0, 1] of {@code elements} values (the same for every call: the input does not
     * change the amount of work, and a fixed one keeps runs comparable).
     */
    public static float[] randomInput(long elements) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(42);
        float[] input = new float[Math.toIntExact(elements)];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rng.nextDouble();
        }
        return input;
    }
}
