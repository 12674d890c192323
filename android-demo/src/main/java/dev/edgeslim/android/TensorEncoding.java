package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.Quantization;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How one model tensor stores its values: float32, or int8 with TFLite's affine quantization
 * ({@code real = scale * (q - zeroPoint)}). Converts between real values and the bytes of a direct, native-order
 * {@link ByteBuffer}, which is what the TFLite Java API copies tensors from and to. Immutable.
 */
public final class TensorEncoding {
    private static final TensorEncoding FLOAT32 = new TensorEncoding(false, 1f, 0);

    private final boolean int8;
    private final float scale;
    private final int zeroPoint;

    private TensorEncoding(boolean int8, float scale, int zeroPoint) {
        this.int8 = int8;
        this.scale = scale;
        this.zeroPoint = zeroPoint;
    }

    public static TensorEncoding float32() {
        return FLOAT32;
    }

    /** @throws IllegalArgumentException when the scale is not positive and finite or the zero point not int8 */
    public static TensorEncoding int8(float scale, int zeroPoint) {
        if (!(scale > 0f) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("quantization scale must be positive and finite, got " + scale);
        }
        if (zeroPoint < -128 || zeroPoint > 127) {
            throw new IllegalArgumentException("int8 zero point must be within -128..127, got " + zeroPoint);
        }
        return new TensorEncoding(true, scale, zeroPoint);
    }

    public boolean isInt8() {
        return int8;
    }

    /** The quantization scale (1 for float32). */
    public float scale() {
        return scale;
    }

    /** The quantization zero point (0 for float32). */
    public int zeroPoint() {
        return zeroPoint;
    }

    /** "float32" or "int8", the names the metadata and TFLite's DataType use (case aside). */
    public String dtypeName() {
        return int8 ? "int8" : "float32";
    }

    public int bytesPerValue() {
        return int8 ? 1 : 4;
    }

    /** A direct native-order buffer for {@code elements} values. */
    public ByteBuffer allocate(int elements) {
        return ByteBuffer.allocateDirect(elements * bytesPerValue()).order(ByteOrder.nativeOrder());
    }

    /**
     * Writes {@code values} from position 0 of {@code out} and rewinds it; {@code scratch} (same length as values)
     * receives the quantized bytes for int8 and may be null for float32.
     */
    public void encode(float[] values, ByteBuffer out, byte[] scratch) {
        out.clear();
        if (int8) {
            Quantization.quantize(values, scale, zeroPoint, true, scratch);
            out.put(scratch, 0, values.length);
        } else {
            out.asFloatBuffer().put(values);
        }
        out.rewind();
    }

    /** Reads {@code elements} real values from position 0 of {@code in} (dequantized for int8). */
    public float[] decode(ByteBuffer in, int elements) {
        in.rewind();
        float[] out;
        if (int8) {
            byte[] q = new byte[elements];
            in.get(q);
            out = Quantization.dequantize(q, scale, zeroPoint, true);
        } else {
            out = new float[elements];
            in.asFloatBuffer().get(out);
        }
        in.rewind();
        return out;
    }

    @Override
    public String toString() {
        return int8 ? "int8(scale=" + scale + ", zero_point=" + zeroPoint + ")" : "float32";
    }
}
