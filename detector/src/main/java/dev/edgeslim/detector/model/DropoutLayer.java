package dev.edgeslim.detector.model;

import java.util.List;

/**
 * darknet [dropout]: an identity at inference; in training each activation is zeroed with {@code probability}
 * and the survivors are scaled by {@code 1 / (1 - probability)} (darknet's inverted dropout), so the inference
 * network needs no rescaling. No parameters; shape and channels pass through unchanged.
 */
public record DropoutLayer(double probability) implements Layer {

    public DropoutLayer {
        if (!(probability >= 0.0 && probability < 1.0)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + probability);
        }
    }

    /** Factor applied to the activations kept in training. */
    public double keepScale() {
        return 1.0 / (1.0 - probability);
    }

    @Override
    public String section() {
        return "dropout";
    }

    @Override
    public List<Integer> inputs(int self) {
        return List.of(Layer.previous(self));
    }

    @Override
    public Shape outputShape(List<Shape> in) {
        return in.get(0);
    }
}
