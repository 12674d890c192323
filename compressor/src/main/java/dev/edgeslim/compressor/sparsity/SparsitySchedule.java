package dev.edgeslim.compressor.sparsity;

import java.util.Locale;

/**
 * The strength of sparse training's L1 penalty on BN γ over a run.
 * <ul>
 *   <li>{@code constant}: strength s throughout.</li>
 *   <li>{@code dynamic} (the paper's): s for every channel until {@code warmupFraction} of the run; after that,
 *       per batch, the channels whose |γ| is at or above the global {@code percentile} of prunable |γ| get
 *       s·{@code relax} and the rest keep s — the strong channels are let go so accuracy survives while the
 *       weak ones are still driven to zero.</li>
 *   <li>{@code linear}: s grows linearly from s·{@code startFactor} to s over the run (a gentle start).</li>
 * </ul>
 */
public record SparsitySchedule(Kind kind, double strength, double warmupFraction, double percentile, double relax,
                               double startFactor) {

    public enum Kind { CONSTANT, DYNAMIC, LINEAR }

    public SparsitySchedule {
        if (!(strength >= 0) || strength > 1) {
            throw new IllegalArgumentException("sparsity strength must be within [0, 1], got " + strength);
        }
        if (!(warmupFraction >= 0 && warmupFraction <= 1)) {
            throw new IllegalArgumentException("warm-up fraction must be within [0, 1], got " + warmupFraction);
        }
        if (!(percentile > 0 && percentile < 100)) {
            throw new IllegalArgumentException("percentile must be within (0, 100), got " + percentile);
        }
        if (!(relax >= 0 && relax <= 1) || !(startFactor >= 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("relax and start factors must be within [0, 1]");
        }
    }

    public static SparsitySchedule constant(double s) {
        return new SparsitySchedule(Kind.CONSTANT, s, 0, 65, 0.01, 1);
    }

    /** The paper's dynamic schedule: full strength for the first half, then relax the top 35% (65th percentile). */
    public static SparsitySchedule dynamic(double s) {
        return new SparsitySchedule(Kind.DYNAMIC, s, 0.5, 65, 0.01, 1);
    }

    public static SparsitySchedule linear(double s) {
        return new SparsitySchedule(Kind.LINEAR, s, 0, 65, 0.01, 0.1);
    }

    public static SparsitySchedule parse(String name, double s) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "constant" -> constant(s);
            case "dynamic" -> dynamic(s);
            case "linear" -> linear(s);
            default -> throw new IllegalArgumentException("unknown sparsity schedule '" + name
                    + "' (constant, dynamic, linear)");
        };
    }

    public SparsitySchedule withWarmup(double fraction) {
        return new SparsitySchedule(kind, strength, fraction, percentile, relax, startFactor);
    }

    public SparsitySchedule withStrength(double s) {
        return new SparsitySchedule(kind, s, warmupFraction, percentile, relax, startFactor);
    }

    public SparsitySchedule withPercentile(double p) {
        return new SparsitySchedule(kind, strength, warmupFraction, p, relax, startFactor);
    }

    /** Base strength for 0-based {@code iteration} of {@code total}. */
    public double strengthAt(long iteration, long total) {
        return strength * factorAt(iteration, total);
    }

    /** The schedule's multiplier of s at {@code iteration} (before any per-channel relaxation). */
    public double factorAt(long iteration, long total) {
        if (kind == Kind.LINEAR) {
            double progress = total <= 1 ? 1 : (double) iteration / (total - 1);
            return startFactor + (1 - startFactor) * progress;
        }
        return 1;
    }

    /** Whether the per-batch percentile relaxation is in force at this iteration. */
    public boolean relaxing(long iteration, long total) {
        return kind == Kind.DYNAMIC && iteration >= warmupFraction * total;
    }
}
