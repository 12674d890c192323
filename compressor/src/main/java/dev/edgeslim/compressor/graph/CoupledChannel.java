package dev.edgeslim.compressor.graph;

/**
 * One coupled channel: index {@code index} of coupled set {@code set}. Every layer output channel that is this
 * coupled channel is kept or removed together with all the others.
 */
public record CoupledChannel(int set, int index) {
    @Override
    public String toString() {
        return set + ":" + index;
    }
}
