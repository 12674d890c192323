package dev.edgeslim.compressor.distill;

/** A student layer distilled toward a teacher layer with a weight. */
public record LayerPair(int studentLayer, int teacherLayer, double weight) {
    public LayerPair {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("distillation weight must be a non-negative number, got " + weight);
        }
    }
}
