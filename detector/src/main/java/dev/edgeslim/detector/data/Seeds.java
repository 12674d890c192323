package dev.edgeslim.detector.data;

/**
 * Derives independent seeds from a run seed and integer keys (epoch, position, image index), so every random
 * decision is a function of "where" it happens, never of thread timing or of how many numbers were drawn before.
 */
public final class Seeds {
    private Seeds() {
    }

    /** A well-mixed 64-bit seed from {@code seed} and {@code keys} (SplitMix64 finaliser chained per key). */
    public static long derive(long seed, long... keys) {
        long h = mix(seed ^ 0x6A09E667F3BCC909L);
        for (long k : keys) {
            h = mix(h + 0x9E3779B97F4A7C15L + mix(k));
        }
        return h;
    }

    /** SplitMix64 finaliser. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
