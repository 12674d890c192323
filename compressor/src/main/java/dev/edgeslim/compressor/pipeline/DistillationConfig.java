package dev.edgeslim.compressor.pipeline;

import java.nio.file.Path;

import static dev.edgeslim.compressor.pipeline.ConfigException.require;

/**
 * Stage 3, fine-tuning the pruned student with distillation from its unpruned teacher: spatial attention on layer
 * pairs (automatic, or {@code layers} / {@code layersFile}, each {@code LAYER[:WEIGHT]}) and, optionally, the
 * teacher's softened objectness and class scores ({@code outputWeight} &gt; 0). With neither, plain fine-tuning.
 *
 * @param attentionWeight weight of each attention pair whose own weight is not given
 * @param layers          the pairs as {@code 12:1.0,34}, or null
 * @param layersFile      the pairs from a file, one per line, or null
 * @param outputWeight    output distillation weight; 0: off
 */
public record DistillationConfig(TrainingSettings training, boolean attention, double attentionWeight, String layers,
                                 Path layersFile, double outputWeight, double temperature) {
    public DistillationConfig {
        require(training != null, "training settings are required");
        require(attentionWeight >= 0 && attentionWeight <= 1e6, "attentionWeight must be within [0, 1e6], got "
                + attentionWeight);
        require(layers == null || layersFile == null, "give layers or layersFile, not both");
        require(attention || (layers == null && layersFile == null),
                "layers choose attention pairs; they cannot be combined with attention off");
        require(outputWeight >= 0 && outputWeight <= 1e6, "outputWeight must be within [0, 1e6], got " + outputWeight);
        require(temperature >= 0.01 && temperature <= 100, "temperature must be within [0.01, 100], got "
                + temperature);
    }

    /**
     * {@code compress}'s stage 3: 10 epochs at lr 0.002 after 50 warm-up iterations, evaluated at the end,
     * attention distillation on the automatic pairs with weight 20.
     */
    public static DistillationConfig defaults() {
        return new DistillationConfig(TrainingSettings.defaults().withEpochs(10).withLr(0.002).withBurnIn(50)
                .withEvalEvery(0), true, 20, null, null, 0, 2);
    }

    public DistillationConfig withTraining(TrainingSettings t) {
        return new DistillationConfig(t, attention, attentionWeight, layers, layersFile, outputWeight, temperature);
    }

    public DistillationConfig withEpochs(int epochs) {
        return withTraining(training.withEpochs(epochs));
    }

    public DistillationConfig withAttentionWeight(double w) {
        return new DistillationConfig(training, attention, w, layers, layersFile, outputWeight, temperature);
    }

    /** Attention pairs as {@code LAYER[:WEIGHT],...}. */
    public DistillationConfig withLayers(String pairs) {
        return new DistillationConfig(training, attention, attentionWeight, pairs, null, outputWeight, temperature);
    }

    /** Attention pairs from a file, one {@code LAYER[:WEIGHT]} per line. */
    public DistillationConfig withLayersFile(Path file) {
        return new DistillationConfig(training, attention, attentionWeight, null, file, outputWeight, temperature);
    }

    public DistillationConfig withOutputDistillation(double weight, double t) {
        return new DistillationConfig(training, attention, attentionWeight, layers, layersFile, weight, t);
    }

    /** No attention term (the output term, if any, stays). */
    public DistillationConfig withoutAttention() {
        return new DistillationConfig(training, false, 0, null, null, outputWeight, temperature);
    }

    /** The same training with every distillation term off: plain fine-tuning, the ablation's baseline. */
    public DistillationConfig plainFineTuning() {
        return new DistillationConfig(training, false, 0, null, null, 0, 2);
    }

    /** Whether the student trains against a teacher at all. */
    public boolean distills() {
        return attention || outputWeight > 0;
    }
}
