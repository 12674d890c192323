package dev.edgeslim.detector.graph;

/**
 * The one place that converts convolution kernels between darknet's OIHW order ([filters][channels/groups][kh][kw],
 * how .weights files and {@code WeightStore} keep them) and TensorFlow's HWIO order ([kh][kw][channels][filters]).
 * Both directions are pure permutations, so a round trip is bit-exact.
 */
public final class KernelLayout {
    private KernelLayout() {
    }

    /** OIHW to HWIO; {@code in} is the channel count per group (the kernel's I dimension). */
    public static float[] oihwToHwio(float[] oihw, int out, int in, int size) {
        check(oihw.length, out, in, size);
        float[] hwio = new float[oihw.length];
        int src = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        hwio[((y * size + x) * in + i) * out + o] = oihw[src++];
                    }
                }
            }
        }
        return hwio;
    }

    /** HWIO to OIHW, the inverse of {@link #oihwToHwio}. */
    public static float[] hwioToOihw(float[] hwio, int out, int in, int size) {
        check(hwio.length, out, in, size);
        float[] oihw = new float[hwio.length];
        int dst = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        oihw[dst++] = hwio[((y * size + x) * in + i) * out + o];
                    }
                }
            }
        }
        return oihw;
    }

    private static void check(int length, int out, int in, int size) {
        if ((long) out * in * size * size != length) {
            throw new IllegalArgumentException(length + " kernel values do not fit " + out + "x" + in + "x" + size + "x"
                    + size);
        }
    }
}
