package dev.edgeslim.compressor.graph;

/**
 * A channel space belonging to a coupled set: output channel {@code c} of layer {@code layer} (a convolution,
 * or {@link dev.edgeslim.detector.model.NetworkSpec#IMAGE} for the input image) is coupled channel
 * {@code offset + c} of the set, for c in [0, channels). For regular sets (every one of the upstream cfgs)
 * offset is 0 and channels equals the set size.
 */
public record Member(int layer, int offset, int channels) {
    @Override
    public String toString() {
        String name = layer < 0 ? "image" : "conv " + layer;
        return offset == 0 ? name : name + "@" + offset;
    }
}
