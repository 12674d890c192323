package dev.edgeslim.detector.weights;

import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The parameters of a network, per convolutional layer index, in darknet's order and layout, plus the
 * darknet file header (version and images seen). Immutable: changes produce a new store.
 */
public final class WeightStore {
    private final DarknetHeader header;
    private final Map<Integer, ConvWeights> convs;

    public WeightStore(DarknetHeader header, Map<Integer, ConvWeights> convs) {
        this.header = Objects.requireNonNull(header);
        this.convs = Collections.unmodifiableMap(new TreeMap<>(convs));
    }

    public DarknetHeader header() {
        return header;
    }

    public ConvWeights conv(int layer) {
        ConvWeights w = convs.get(layer);
        if (w == null) {
            throw new IllegalArgumentException("no weights for layer " + layer);
        }
        return w;
    }

    /** Layer index to weights, ascending. */
    public Map<Integer, ConvWeights> convs() {
        return convs;
    }

    public WeightStore with(int layer, ConvWeights weights) {
        TreeMap<Integer, ConvWeights> copy = new TreeMap<>(convs);
        copy.put(layer, weights);
        return new WeightStore(header, copy);
    }

    public WeightStore withHeader(DarknetHeader newHeader) {
        return new WeightStore(newHeader, convs);
    }

    public long floatCount() {
        long n = 0;
        for (ConvWeights w : convs.values()) {
            n += w.floatCount();
        }
        return n;
    }

    /** Checks that every convolution of {@code spec} has weights of exactly the right sizes. */
    public void checkMatches(NetworkSpec spec) {
        for (int i : spec.convLayers()) {
            ConvLayer c = spec.conv(i);
            ConvWeights w = convs.get(i);
            if (w == null) {
                throw new IllegalArgumentException("layer " + i + " has no weights");
            }
            if (w.filters() != c.filters() || w.batchNormalized() != c.batchNormalize()
                    || w.weights().length != c.weightCount(spec.inputChannelsOf(i))) {
                throw new IllegalArgumentException("layer " + i + " weights (" + w.filters() + " filters, "
                        + w.weights().length + " weights, BN " + w.batchNormalized() + ") do not match the cfg ("
                        + c.filters() + " filters, " + c.weightCount(spec.inputChannelsOf(i)) + " weights, BN "
                        + c.batchNormalize() + ")");
            }
        }
        if (convs.size() != spec.convLayers().size()) {
            throw new IllegalArgumentException("weights hold " + convs.size() + " layers, the cfg has "
                    + spec.convLayers().size() + " convolutions");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightStore s && header.equals(s.header) && convs.equals(s.convs);
    }

    @Override
    public int hashCode() {
        return convs.hashCode();
    }
}
