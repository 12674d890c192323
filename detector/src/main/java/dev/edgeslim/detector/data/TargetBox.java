package dev.edgeslim.detector.data;

/**
 * A training target: class id and box centre/size normalised to the network input ([0, 1] of its width and height),
 * darknet's label format. {@code difficult} is carried for information; training uses difficult boxes as normal
 * ones (see {@link BatchLoader}).
 */
public record TargetBox(int classId, float cx, float cy, float w, float h, boolean difficult) {

    /** Left edge in network-input pixels of a {@code netWidth}-wide input. */
    public double left(int netWidth) {
        return (cx - w / 2.0) * netWidth;
    }

    public double right(int netWidth) {
        return (cx + w / 2.0) * netWidth;
    }

    public double top(int netHeight) {
        return (cy - h / 2.0) * netHeight;
    }

    public double bottom(int netHeight) {
        return (cy + h / 2.0) * netHeight;
    }
}
