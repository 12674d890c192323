package dev.edgeslim.detector.model;

import java.util.ArrayList;
import java.util.List;

/** darknet [shortcut]: element-wise sum of the previous layer and the {@code from} layers, then an activation. */
public record ShortcutLayer(List<Integer> from, Activation activation) implements Layer {

    public ShortcutLayer {
        from = List.copyOf(from);
    }

    @Override
    public String section() {
        return "shortcut";
    }

    @Override
    public List<Integer> inputs(int self) {
        List<Integer> all = new ArrayList<>();
        all.add(Layer.previous(self));
        all.addAll(from);
        return all;
    }

    /** Counted as darknet does (shortcut_layer.c): one addition per output value per added layer. */
    @Override
    public long flops(List<Shape> in, Shape out) {
        return out.elements() * from.size();
    }

    @Override
    public Shape outputShape(List<Shape> in) {
        Shape first = in.get(0);
        for (Shape s : in) {
            if (!s.equals(first)) {
                throw new IllegalArgumentException("shortcut inputs have different shapes: " + in);
            }
        }
        return first;
    }
}
