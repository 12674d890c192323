package dev.edgeslim.detector.model.builtin;

import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.SpecLimits;
import dev.edgeslim.detector.model.YoloLayer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Any darknet network at another width and number of classes: what {@code yolov4-w0.25} is to yolov4.cfg, for every
 * cfg (yolov4-csp, yolov7-tiny, a user's own). Every convolution's filters are scaled as {@link ModelScale} scales
 * the built-in models (rounded up to a multiple of 8, at least 8), so channel counts that must agree (both sides
 * of a shortcut, the halves a route's {@code groups} splits) still agree; each convolution that feeds a [yolo]
 * layer gets exactly {@code masks × (5 + classes)} filters, and each [yolo] layer the new class count. A depthwise
 * convolution keeps one filter per input channel. Scaling yolov4.cfg by 0.25 gives the built-in
 * {@code yolov4-w0.25} layer for layer.
 */
public final class WidthScaling {
    private WidthScaling() {
    }

    /**
     * {@code spec} with its channels scaled by {@code width} (in (0, 4]) and {@code classes} classes.
     *
     * @throws IllegalArgumentException for a width or class count out of range, a network without [yolo] layer,
     *                                  a [yolo] layer not right after a convolution, or a grouped convolution
     *                                  that is not depthwise (its groups cannot follow the scaled channels)
     */
    public static NetworkSpec scale(NetworkSpec spec, double width, int classes) {
        ModelScale scale = new ModelScale(width, 1);
        if (classes < 1 || classes > SpecLimits.MAX_CLASSES) {
            throw new IllegalArgumentException("classes must be within 1.." + SpecLimits.MAX_CLASSES + ", got "
                    + classes);
        }
        if (spec.yoloLayers().isEmpty()) {
            throw new IllegalArgumentException("the network has no [yolo] layer to give " + classes + " classes");
        }
        Map<Integer, Integer> headFilters = new HashMap<>();
        for (int y : spec.yoloLayers()) {
            YoloLayer yolo = (YoloLayer) spec.layer(y);
            if (y == 0 || !(spec.layer(y - 1) instanceof ConvLayer)) {
                throw new IllegalArgumentException("layer " + y + " ([yolo]) does not follow a convolution");
            }
            headFilters.put(y - 1, yolo.mask().size() * (5 + classes));
        }
        // layers are rebuilt in order: a depthwise convolution reads its input's scaled channels from the layers
        // before it (only a whole network is checked; a half-scaled one may not add up)
        List<Layer> layers = new ArrayList<>(spec.size());
        for (int i = 0; i < spec.size(); i++) {
            Layer layer = spec.layer(i);
            if (layer instanceof YoloLayer yolo) {
                layers.add(yolo.withClasses(classes));
            } else if (layer instanceof ConvLayer conv) {
                layers.add(scaledConv(i, conv, spec, layers, scale, headFilters.get(i)));
            } else {
                layers.add(layer);
            }
        }
        return new NetworkSpec(spec.net(), layers);
    }

    private static ConvLayer scaledConv(int i, ConvLayer conv, NetworkSpec original, List<Layer> scaledBefore,
                                        ModelScale scale, Integer headFilters) {
        if (headFilters != null) {
            return conv.withFilters(headFilters);
        }
        if (conv.groups() == 1) {
            return conv.withFilters(scale.channels(conv.filters()));
        }
        if (conv.depthwise(original.inputChannelsOf(i))) {
            int input = original.inputsOf(i).get(0);
            int channels = input == NetworkSpec.IMAGE ? original.inputShape().channels()
                    : new NetworkSpec(original.net(), scaledBefore).shapeOf(input).channels();
            return conv.withFilters(channels).withGroups(channels);
        }
        throw new IllegalArgumentException("layer " + i + " is a grouped convolution (groups=" + conv.groups()
                + "), whose groups cannot follow scaled channels");
    }
}
