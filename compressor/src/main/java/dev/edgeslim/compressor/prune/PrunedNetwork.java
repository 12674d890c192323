package dev.edgeslim.compressor.prune;

import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightStore;

/** A network and its weights, as produced by {@link ModelSurgeon}. */
public record PrunedNetwork(NetworkSpec spec, WeightStore weights) {
}
