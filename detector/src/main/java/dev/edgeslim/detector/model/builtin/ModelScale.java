package dev.edgeslim.detector.model.builtin;

/**
 * YOLOv5-style compound scaling of a reference topology. {@code width} multiplies every channel count, rounded
 * up to a multiple of 8 (at least 8) so convolutions stay SIMD-friendly and CSP splits stay even; {@code depth}
 * multiplies the number of residual blocks per stage, rounded half-up, at least 1. Both lie in (0, 4];
 * {@link #FULL} (1, 1) reproduces the reference exactly because all reference channel counts are multiples of 8.
 */
public record ModelScale(double width, double depth) {
    public static final ModelScale FULL = new ModelScale(1, 1);
    public static final double MAX_MULTIPLE = 4;

    public ModelScale {
        check("width", width);
        check("depth", depth);
    }

    private static void check(String name, double multiple) {
        if (!(multiple > 0 && multiple <= MAX_MULTIPLE)) {
            throw new IllegalArgumentException(name + " multiple must be in (0, " + (int) MAX_MULTIPLE + "], got "
                    + multiple);
        }
    }

    /** Scaled channel count for a reference count. */
    public int channels(int reference) {
        // the epsilon keeps 40.000000001 (binary rounding of e.g. 160 * 0.25) from jumping to the next multiple
        int eighths = (int) Math.ceil(reference * width / 8 - 1e-9);
        return Math.max(8, eighths * 8);
    }

    /** Scaled repeat count for a reference number of blocks. */
    public int repeats(int reference) {
        return (int) Math.max(1, Math.round(reference * depth));
    }
}
