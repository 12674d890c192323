package dev.edgeslim.compressor.pipeline;

import static dev.edgeslim.compressor.pipeline.ConfigException.require;

/**
 * Everything a compression run does: its three stages, whether it adds the ablation (the pruned model fine-tuned
 * with the distillation stage's training but no distillation term) and how the report measures.
 */
public record CompressionConfig(SparseTrainingConfig sparse, PruningConfig pruning, DistillationConfig distillation,
                                boolean ablation, ReportSettings report) {
    public CompressionConfig {
        require(sparse != null && pruning != null && distillation != null && report != null,
                "every stage needs a configuration");
        require(!ablation || distillation.distills(), "the ablation compares distillation with plain fine-tuning; "
                + "with no distillation term both would be plain fine-tuning");
    }

    /** Each stage's defaults, pruning half of every group's channels, no ablation. */
    public static CompressionConfig defaults() {
        return new CompressionConfig(SparseTrainingConfig.defaults(), PruningConfig.ratio(0.5),
                DistillationConfig.defaults(), false, ReportSettings.defaults());
    }

    public CompressionConfig withSparse(SparseTrainingConfig c) {
        return new CompressionConfig(c, pruning, distillation, ablation, report);
    }

    public CompressionConfig withPruning(PruningConfig c) {
        return new CompressionConfig(sparse, c, distillation, ablation, report);
    }

    public CompressionConfig withDistillation(DistillationConfig c) {
        return new CompressionConfig(sparse, pruning, c, ablation, report);
    }

    public CompressionConfig withAblation(boolean on) {
        return new CompressionConfig(sparse, pruning, distillation, on, report);
    }

    public CompressionConfig withReport(ReportSettings r) {
        return new CompressionConfig(sparse, pruning, distillation, ablation, r);
    }
}
