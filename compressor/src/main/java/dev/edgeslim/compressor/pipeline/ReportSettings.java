package dev.edgeslim.compressor.pipeline;

import static dev.edgeslim.compressor.pipeline.ConfigException.require;

/**
 * How the compression report measures its models.
 *
 * @param evalSplit   the split mAP is measured on
 * @param latencyRuns timed forward passes per model
 */
public record ReportSettings(String evalSplit, int threads, int latencyRuns) {
    public ReportSettings {
        require(evalSplit != null && !evalSplit.isBlank() && !evalSplit.equals("none"),
                "the report needs an evaluation split, got " + evalSplit);
        require(threads >= 1 && threads <= 256, "threads must be within [1, 256], got " + threads);
        require(latencyRuns >= 1 && latencyRuns <= 10_000, "latencyRuns must be within [1, 10000], got " + latencyRuns);
    }

    /** The test split, all cores, 20 timed runs. */
    public static ReportSettings defaults() {
        return new ReportSettings("test", Runtime.getRuntime().availableProcessors(), 20);
    }
}
