package dev.edgeslim.detector.model;

import java.util.List;

/**
 * darknet [maxpool]: {@code padding} is the total padding per axis (darknet default size-1), placed
 * padding/2 on the top/left and the rest on the bottom/right; padded cells never win the max.
 */
public record MaxPoolLayer(int size, int stride, int padding) implements Layer {

    @Override
    public String section() {
        return "maxpool";
    }

    @Override
    public List<Integer> inputs(int self) {
        return List.of(Layer.previous(self));
    }

    @Override
    public Shape outputShape(List<Shape> in) {
        Shape x = in.get(0);
        if (x.height() + padding < size || x.width() + padding < size) {
            throw new IllegalArgumentException("pool size " + size + " is larger than padded input " + x);
        }
        int h = (x.height() + padding - size) / stride + 1;
        int w = (x.width() + padding - size) / stride + 1;
        return new Shape(h, w, x.channels());
    }

    /** Counted as darknet does (maxpool_layer.c): one operation per window element per output value. */
    @Override
    public long flops(List<Shape> in, Shape out) {
        return (long) size * size * out.channels() * out.height() * out.width();
    }

    public int padBefore() {
        return padding / 2;
    }

    public int padAfter() {
        return padding - padding / 2;
    }
}
