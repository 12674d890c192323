package dev.edgeslim.compressor.prune;

import java.util.Locale;

/**
 * How the members of a coupled set, each with its own per-channel keep decision (its own γ against its group's
 * threshold), agree on the set's decision for a coupled channel.
 */
public enum PlanRule {
    /** Keep when any member keeps it (default: never removes a channel some layer still wants). */
    UNION,
    /** Keep when at least half of the members keep it. */
    MAJORITY,
    /** Keep only when every member keeps it (most aggressive). */
    INTERSECTION;

    /** Combines {@code keeps} votes out of {@code voters}. */
    public boolean keep(int keeps, int voters) {
        return switch (this) {
            case UNION -> keeps > 0;
            case MAJORITY -> 2 * keeps >= voters;
            case INTERSECTION -> keeps == voters;
        };
    }

    /**
     * One importance score for a coupled channel from its members' |γ| values, consistent with the rule
     * (max for union, median for majority, min for intersection); used to pick which channels to add back when
     * floors, rounding or slice balance require more.
     */
    public double score(double[] magnitudes) {
        double[] s = magnitudes.clone();
        java.util.Arrays.sort(s);
        return switch (this) {
            case UNION -> s[s.length - 1];
            case MAJORITY -> s[s.length / 2];
            case INTERSECTION -> s[0];
        };
    }

    /** Parses "union", "majority" or "intersection"; null when unknown. */
    public static PlanRule parse(String text) {
        for (PlanRule r : values()) {
            if (r.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }
}
