package dev.edgeslim.detector.postprocess;

/**
 * Affine quantization as TFLite defines it: {@code real = scale * (q - zeroPoint)}, with q stored as int8
 * ({@code signed}, -128..127) or uint8 (0..255) in a byte. Used for quantized model inputs and outputs.
 */
public final class Quantization {
    private Quantization() {
    }

    /** Quantizes with round-half-away-from-zero of {@code x / scale}, then clamps to the type's range. */
    public static byte[] quantize(float[] values, float scale, int zeroPoint, boolean signed) {
        byte[] out = new byte[values.length];
        quantize(values, scale, zeroPoint, signed, out);
        return out;
    }

    /** Quantizes {@code values} into {@code out} (same length). */
    public static void quantize(float[] values, float scale, int zeroPoint, boolean signed, byte[] out) {
        check(scale, zeroPoint, signed);
        if (out.length != values.length) {
            throw new IllegalArgumentException("output length " + out.length + " != input length " + values.length);
        }
        int min = signed ? -128 : 0;
        int max = signed ? 127 : 255;
        for (int i = 0; i < values.length; i++) {
            float v = values[i] / scale;
            long q;
            if (v != v) {
                q = zeroPoint; // NaN: the quantized zero
            } else {
                // clamp before converting so huge values cannot overflow the long arithmetic
                double c = Math.max(-1e6, Math.min(1e6, v));
                q = (c >= 0 ? (long) Math.floor(c + 0.5) : -(long) Math.floor(-c + 0.5)) + zeroPoint;
            }
            out[i] = (byte) Math.max(min, Math.min(max, q));
        }
    }

    /** The real values of quantized bytes. */
    public static float[] dequantize(byte[] q, float scale, int zeroPoint, boolean signed) {
        check(scale, zeroPoint, signed);
        float[] out = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            int v = signed ? q[i] : (q[i] & 0xFF);
            out[i] = scale * (v - zeroPoint);
        }
        return out;
    }

    private static void check(float scale, int zeroPoint, boolean signed) {
        if (!(scale > 0f) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("quantization scale must be positive and finite, got " + scale);
        }
        int min = signed ? -128 : 0;
        int max = signed ? 127 : 255;
        if (zeroPoint < min || zeroPoint > max) {
            throw new IllegalArgumentException("zero point " + zeroPoint + " outside " + (signed ? "int8" : "uint8")
                    + " range [" + min + ", " + max + "]");
        }
    }
}
