package dev.edgeslim.detector.model;

import java.util.ArrayList;
import java.util.List;

/**
 * darknet [route]: concatenates its inputs along channels; with {@code groups}>1 each input is split into
 * that many equal channel slices and slice {@code groupId} is taken (CSP split in YOLOv4-tiny).
 */
public record RouteLayer(List<Integer> layers, int groups, int groupId) implements Layer {

    public RouteLayer {
        layers = List.copyOf(layers);
    }

    @Override
    public String section() {
        return "route";
    }

    @Override
    public List<Integer> inputs(int self) {
        return layers;
    }

    @Override
    public Shape outputShape(List<Shape> in) {
        Shape first = in.get(0);
        int channels = 0;
        for (Shape s : in) {
            if (s.height() != first.height() || s.width() != first.width()) {
                throw new IllegalArgumentException("route inputs differ in spatial size: " + in);
            }
            if (s.channels() % groups != 0) {
                throw new IllegalArgumentException("groups=" + groups + " does not divide " + s.channels() + " channels");
            }
            channels += s.channels() / groups;
        }
        return first.withChannels(channels);
    }

    /** For each input, the first channel taken from it (slice start within that input). */
    public int sliceStart(Shape input) {
        return groupId * (input.channels() / groups);
    }

    /** For each input, where its slice starts in this layer's output. */
    public List<Integer> outputOffsets(List<Shape> in) {
        List<Integer> offsets = new ArrayList<>();
        int off = 0;
        for (Shape s : in) {
            offsets.add(off);
            off += s.channels() / groups;
        }
        return offsets;
    }
}
