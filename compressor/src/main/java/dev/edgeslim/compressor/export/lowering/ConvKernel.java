package dev.edgeslim.compressor.export.lowering;

/**
 * An inference convolution with batch norm folded in: {@code weights} in OHWI order
 * [filters][size][size][inPerGroup], one {@code bias} per filter.
 */
public record ConvKernel(int filters, int size, int inPerGroup, float[] weights, float[] bias) {

    public ConvKernel {
        if (weights.length != (long) filters * size * size * inPerGroup || bias.length != filters) {
            throw new IllegalArgumentException("kernel arrays do not match " + filters + "x" + size + "x" + size
                    + "x" + inPerGroup);
        }
    }

    public int[] ohwiShape() {
        return new int[] {filters, size, size, inPerGroup};
    }

    public int perFilter() {
        return size * size * inPerGroup;
    }

    /** The filters {@code [from, from + count)} as a kernel of their own (one group of a grouped conv). */
    public ConvKernel filters(int from, int count) {
        float[] w = new float[count * perFilter()];
        System.arraycopy(weights, from * perFilter(), w, 0, w.length);
        float[] b = new float[count];
        System.arraycopy(bias, from, b, 0, count);
        return new ConvKernel(count, size, inPerGroup, w, b);
    }

    /**
     * The weights in DEPTHWISE_CONV_2D's [1][size][size][filters] order; valid when each filter reads one input
     * channel (filter f reads channel f / depthMultiplier).
     */
    public float[] depthwiseWeights() {
        if (inPerGroup != 1) {
            throw new IllegalStateException("not a depthwise kernel: " + inPerGroup + " input channels per filter");
        }
        float[] out = new float[weights.length];
        int taps = size * size;
        for (int f = 0; f < filters; f++) {
            for (int t = 0; t < taps; t++) {
                out[t * filters + f] = weights[f * taps + t];
            }
        }
        return out;
    }

    public int[] depthwiseShape() {
        return new int[] {1, size, size, filters};
    }
}
