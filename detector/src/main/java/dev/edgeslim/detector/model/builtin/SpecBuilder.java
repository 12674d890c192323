package dev.edgeslim.detector.model.builtin;

import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetOptions;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends darknet layers one at a time, so a topology reads like the cfg it produces but without hand-counted
 * indices: {@link #last()} and {@link #next()} give the current position, {@link #mark(String)} names a layer for
 * a later {@link #at(String) reference}, and route/shortcut references follow darknet's convention (negative =
 * relative to the new layer, non-negative = absolute), so {@code route(-1, at("stride16"))} is valid.
 * <pre>{@code
 * SpecBuilder b = new SpecBuilder(net);
 * b.conv(32, 3, 1, MISH);
 * int blockInput = b.last();
 * b.conv(16, 1, 1, MISH).conv(32, 3, 1, MISH).shortcut(blockInput);
 * NetworkSpec spec = b.build();
 * }</pre>
 */
public final class SpecBuilder {
    private final NetOptions net;
    private final List<Layer> layers = new ArrayList<>();
    private final Map<String, Integer> marks = new HashMap<>();

    public SpecBuilder(NetOptions net) {
        this.net = net;
    }

    /** Index the next added layer will get (= number of layers so far). */
    public int next() {
        return layers.size();
    }

    /** Index of the most recently added layer. */
    public int last() {
        if (layers.isEmpty()) {
            throw new IllegalStateException("no layer has been added yet");
        }
        return layers.size() - 1;
    }

    /** Names the most recently added layer so later layers can refer to it with {@link #at(String)}. */
    public SpecBuilder mark(String name) {
        if (marks.putIfAbsent(name, last()) != null) {
            throw new IllegalStateException("mark '" + name + "' is already used for layer " + marks.get(name));
        }
        return this;
    }

    /** Absolute index of a marked layer. */
    public int at(String name) {
        Integer index = marks.get(name);
        if (index == null) {
            throw new IllegalStateException("no layer is marked '" + name + "'");
        }
        return index;
    }

    /** Batch-normalised convolution with darknet's pad=1 ("same" padding, size/2 per side). */
    public SpecBuilder conv(int filters, int size, int stride, Activation activation) {
        return add(new ConvLayer(filters, size, stride, size / 2, 1, true, activation, Map.of()));
    }

    /** The 1x1 linear convolution with bias (no BN) that feeds a [yolo] head. */
    public SpecBuilder headConv(int filters) {
        return add(new ConvLayer(filters, 1, 1, 0, 1, false, Activation.LINEAR, Map.of()));
    }

    /** Channel concatenation of the referenced layers, in the given order. */
    public SpecBuilder route(int... refs) {
        return add(new RouteLayer(resolve(refs), 1, 0));
    }

    /** Channel slice {@code groupId} of {@code groups} equal slices of one layer (CSP split). */
    public SpecBuilder routeGroup(int ref, int groups, int groupId) {
        return add(new RouteLayer(resolve(new int[] {ref}), groups, groupId));
    }

    /** Residual sum of the previous layer and {@code ref}, linear activation. */
    public SpecBuilder shortcut(int ref) {
        return add(new ShortcutLayer(resolve(new int[] {ref}), Activation.LINEAR));
    }

    /** Max pooling with darknet's default padding (size-1 in total), so stride 1 keeps the spatial size. */
    public SpecBuilder maxpool(int size, int stride) {
        return add(new MaxPoolLayer(size, stride, size - 1));
    }

    /** Nearest-neighbour upsampling. */
    public SpecBuilder upsample(int stride) {
        return add(new UpsampleLayer(stride, 1.0));
    }

    /**
     * A [yolo] head over the previous layer. {@code anchors} are all w,h pairs of the model (num = pairs),
     * {@code mask} picks this head's; truth_thresh is 1 (darknet's default, i.e. unused).
     */
    public SpecBuilder yolo(List<Integer> mask, List<Double> anchors, int classes, double scaleXY,
                            double ignoreThresh, double iouThresh, Map<String, String> extras) {
        return add(new YoloLayer(mask, anchors, classes, anchors.size() / 2, scaleXY, ignoreThresh, 1.0, iouThresh,
                extras));
    }

    /** Appends any layer record (escape hatch for layers the shorthand methods do not cover). */
    public SpecBuilder add(Layer layer) {
        layers.add(layer);
        return this;
    }

    /**
     * Validates and returns the network.
     *
     * @throws dev.edgeslim.detector.model.ShapeException if a layer cannot work with its inputs
     */
    public NetworkSpec build() {
        return new NetworkSpec(net, layers);
    }

    private List<Integer> resolve(int[] refs) {
        int self = next();
        List<Integer> out = new ArrayList<>(refs.length);
        for (int ref : refs) {
            int abs = ref < 0 ? self + ref : ref;
            if (abs < 0 || abs >= self) {
                throw new IllegalArgumentException("layer " + self + " cannot refer to " + ref + " (resolves to "
                        + abs + "; valid: 0.." + (self - 1) + ")");
            }
            out.add(abs);
        }
        return out;
    }
}
