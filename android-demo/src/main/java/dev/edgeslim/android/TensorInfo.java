package dev.edgeslim.android;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Locale;

/**
 * Shape, type and quantization of one interpreter tensor, read reflectively. Why reflection: in TFLite 2.16
 * {@code org.tensorflow.lite.Tensor} is an interface, in the 2.6 desktop build the JVM tests run it is a class, so
 * a compiled {@code tensor.shape()} call links on only one of them; {@code Method.invoke} works on both.
 * Immutable.
 */
final class TensorInfo {
    private final int[] shape;
    private final String dtype;
    private final float scale;
    private final int zeroPoint;

    private TensorInfo(int[] shape, String dtype, float scale, int zeroPoint) {
        this.shape = shape;
        this.dtype = dtype;
        this.scale = scale;
        this.zeroPoint = zeroPoint;
    }

    /**
     * @param tensor what {@code Interpreter.getInputTensor}/{@code getOutputTensor} returned
     * @return the description, or null when this runtime's Tensor API is not the expected one (then the caller
     * relies on TFLite's own size checks)
     */
    static TensorInfo of(Object tensor) {
        try {
            Class<?> api = Class.forName("org.tensorflow.lite.Tensor");
            int[] shape = (int[]) api.getMethod("shape").invoke(tensor);
            Object type = api.getMethod("dataType").invoke(tensor);
            Object q = api.getMethod("quantizationParams").invoke(tensor);
            Method getScale = q.getClass().getMethod("getScale");
            Method getZeroPoint = q.getClass().getMethod("getZeroPoint");
            return new TensorInfo(shape.clone(), String.valueOf(type).toLowerCase(Locale.ROOT),
                    ((Number) getScale.invoke(q)).floatValue(), ((Number) getZeroPoint.invoke(q)).intValue());
        } catch (ReflectiveOperationException e) {
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    int[] shape() {
        return shape.clone();
    }

    /** TFLite's DataType name in lower case: "float32", "int8", "uint8", ... */
    String dtype() {
        return dtype;
    }

    float scale() {
        return scale;
    }

    int zeroPoint() {
        return zeroPoint;
    }

    /** Null when this tensor is what {@code expected} describes, else what differs. */
    String mismatch(int[] expectedShape, TensorEncoding expected) {
        if (!Arrays.equals(shape, expectedShape)) {
            return "shape " + Arrays.toString(shape) + " but the metadata says " + Arrays.toString(expectedShape);
        }
        if (!dtype.equals(expected.dtypeName())) {
            return "type " + dtype + " but the metadata says " + expected.dtypeName();
        }
        if (expected.isInt8() && (zeroPoint != expected.zeroPoint()
                || Math.abs(scale - expected.scale()) > 1e-5f * expected.scale())) {
            return "quantization (scale " + scale + ", zero point " + zeroPoint + ") but the metadata says "
                    + "(scale " + expected.scale() + ", zero point " + expected.zeroPoint() + ")";
        }
        return null;
    }
}
