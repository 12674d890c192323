package dev.edgeslim.detector.io;

/**
 * Reads an input limit from the system property {@code edgeslim.limit.NAME}, e.g.
 * {@code -Dedgeslim.limit.maxImagePixels=100000000}: the one way every limit ({@code SpecLimits}, {@code DataLimits},
 * {@code ImageLoader}) is raised. A missing, non-numeric or non-positive value leaves the default (a limit of 0 would
 * refuse every input).
 */
public final class LimitProperty {
    private LimitProperty() {
    }

    public static long get(String name, long fallback) {
        String v = System.getProperty("edgeslim.limit." + name);
        if (v == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(v.trim());
            return parsed > 0 ? parsed : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
