package dev.edgeslim.compressor.export.tflite;

/**
 * Per-tensor asymmetric int8 quantization, TFLite's convention: real = scale · (q − zeroPoint), q in
 * [−128, 127]. {@link #fromRange} always represents 0 exactly (zero padding and ReLU rely on it). The scale is
 * kept at float32 precision, as stored in the model.
 */
public record QuantParams(double scale, int zeroPoint) {
    public static final int QMIN = -128;
    public static final int QMAX = 127;
    /** The smallest scale used for a constant-zero tensor (any positive scale would do). */
    private static final double MIN_SCALE = 1e-8;

    public QuantParams {
        scale = (float) scale; // the file stores float32: compute with exactly what the runtime sees
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("quantization scale must be positive and finite, got " + scale);
        }
        if (zeroPoint < QMIN || zeroPoint > QMAX) {
            throw new IllegalArgumentException("int8 zero point must be within -128..127, got " + zeroPoint);
        }
    }

    /** The parameters covering [min, max] (widened to contain 0). */
    public static QuantParams fromRange(double min, double max) {
        double lo = Math.min(0, min);
        double hi = Math.max(0, max);
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("range [" + min + ", " + max + "] is not finite");
        }
        double scale = Math.max((hi - lo) / (QMAX - QMIN), MIN_SCALE);
        long zp = Math.round(QMIN - lo / scale);
        return new QuantParams(scale, (int) Math.max(QMIN, Math.min(QMAX, zp)));
    }

    public int quantize(double real) {
        long q = Math.round(real / scale) + zeroPoint;
        return (int) Math.max(QMIN, Math.min(QMAX, q));
    }

    public double dequantize(int q) {
        return scale * (q - zeroPoint);
    }

    /** Smallest and largest representable values. */
    public double min() {
        return dequantize(QMIN);
    }

    public double max() {
        return dequantize(QMAX);
    }
}
