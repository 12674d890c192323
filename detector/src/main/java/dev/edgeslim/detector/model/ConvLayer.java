package dev.edgeslim.detector.model;

import java.util.List;
import java.util.Map;

/**
 * darknet [convolutional]. {@code padding} is the resolved per-side zero padding (cfg {@code pad=1} means
 * size/2). Darknet pads {@code padding} rows/columns on the top/left and as many as the stride consumes on the
 * bottom/right, which is exactly "pad symmetric then VALID". {@code extras} keeps training-only options
 * (e.g. stopbackward) so a cfg round-trips.
 */
public record ConvLayer(int filters, int size, int stride, int padding, int groups, boolean batchNormalize,
                        Activation activation, Map<String, String> extras) implements Layer {

    public ConvLayer {
        extras = Map.copyOf(extras);
    }

    public ConvLayer withFilters(int newFilters) {
        return new ConvLayer(newFilters, size, stride, padding, groups, batchNormalize, activation, extras);
    }

    public ConvLayer withGroups(int newGroups) {
        return new ConvLayer(filters, size, stride, padding, newGroups, batchNormalize, activation, extras);
    }

    /**
     * True for a depthwise convolution: one filter per input channel, each seeing only its own channel
     * ({@code groups == filters == inputChannels > 1}). A depthwise multiplier above one is a grouped convolution.
     */
    public boolean depthwise(int inputChannels) {
        return groups > 1 && groups == inputChannels && filters == groups;
    }

    @Override
    public String section() {
        return "convolutional";
    }

    @Override
    public List<Integer> inputs(int self) {
        return List.of(Layer.previous(self));
    }

    @Override
    public Shape outputShape(List<Shape> in) {
        Shape x = in.get(0);
        if (x.channels() % groups != 0 || filters % groups != 0) {
            throw new IllegalArgumentException("groups=" + groups + " must divide input channels " + x.channels()
                    + " and filters " + filters);
        }
        int h = (x.height() + 2 * padding - size) / stride + 1;
        int w = (x.width() + 2 * padding - size) / stride + 1;
        if (x.height() + 2 * padding < size || x.width() + 2 * padding < size) {
            throw new IllegalArgumentException("kernel " + size + " is larger than padded input " + x);
        }
        return new Shape(h, w, filters);
    }

    /** Number of weights in the kernel: filters x (c/groups) x size x size, darknet's OIHW order. */
    public long weightCount(int inputChannels) {
        return (long) filters * (inputChannels / groups) * size * size;
    }

    @Override
    public long params(List<Shape> in) {
        long p = weightCount(in.get(0).channels()) + filters; // bias (or BN beta)
        return batchNormalize ? p + filters : p;              // BN gamma
    }

    @Override
    public long flops(List<Shape> in, Shape out) {
        return 2L * weightCount(in.get(0).channels()) * out.height() * out.width();
    }
}
