package dev.edgeslim.compressor.prune;

import dev.edgeslim.detector.model.NetworkSpec;

/** What a global pruning target counts. */
public enum TargetMetric {
    PARAMS, FLOPS;

    public double of(NetworkSpec spec) {
        return this == PARAMS ? spec.totalParams() : spec.totalFlops();
    }
}
