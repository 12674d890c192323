package dev.edgeslim.detector.model;

import java.util.List;

/** darknet [upsample]: nearest-neighbour upsampling by an integer stride, output multiplied by {@code scale}. */
public record UpsampleLayer(int stride, double scale) implements Layer {

    @Override
    public String section() {
        return "upsample";
    }

    @Override
    public List<Integer> inputs(int self) {
        return List.of(Layer.previous(self));
    }

    @Override
    public Shape outputShape(List<Shape> in) {
        Shape x = in.get(0);
        return new Shape(x.height() * stride, x.width() * stride, x.channels());
    }
}
