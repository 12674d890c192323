package dev.edgeslim.compressor.prune;

import java.util.List;

/** A named set of layers pruned with one set of options (only its convolutions matter for pruning). */
public record PruneGroup(String name, List<Integer> layers, GroupOptions options) {
    public PruneGroup {
        layers = List.copyOf(layers);
    }

    public PruneGroup withOptions(GroupOptions o) {
        return new PruneGroup(name, layers, o);
    }
}
