package dev.edgeslim.detector.graph;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
import org.tensorflow.types.TFloat32;

/** Bulk copies between Java float arrays and TF float tensors (the element-wise NdArray paths are far slower). */
public final class FloatTensors {
    private FloatTensors() {
    }

    /** A new tensor of {@code shape} holding {@code values} (row-major); the caller closes it. */
    public static TFloat32 of(float[] values, long... shape) {
        Shape s = Shape.of(shape);
        if (s.size() != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + s);
        }
        TFloat32 t = TFloat32.tensorOf(s);
        t.asRawTensor().data().asFloats().write(values);
        return t;
    }

    /** All values of {@code t}, row-major. */
    public static float[] toArray(TFloat32 t) {
        float[] a = new float[Math.toIntExact(t.size())];
        t.asRawTensor().data().asFloats().read(a);
        return a;
    }

    /** A graph constant of {@code shape} holding {@code values}. */
    public static Constant<TFloat32> constant(Ops tf, float[] values, long... shape) {
        try (TFloat32 t = of(values, shape)) {
            return tf.constantOf(t);
        }
    }
}
