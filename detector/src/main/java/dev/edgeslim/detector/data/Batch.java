package dev.edgeslim.detector.data;

import java.util.List;

/**
 * One training batch.
 *
 * @param epoch       epoch it belongs to (0-based)
 * @param index       batch index within the epoch (0-based)
 * @param width       network input width
 * @param height      network input height
 * @param images      NHWC [size, height, width, 3], RGB in [0, 1]
 * @param boxes       per image, its targets normalised to the network input (cx, cy, w, h) with class ids
 * @param imageIds    per image, the id of its (main) source image, e.g. "VOC2007/000005"
 * @param uniqueCount how many leading images are this epoch's own; the rest (last batch only) wrap around to the
 *                    start of the epoch's order to fill the batch
 */
public record Batch(int epoch, int index, int width, int height, float[] images, List<List<TargetBox>> boxes,
                    List<String> imageIds, int uniqueCount) {
    public Batch {
        boxes = List.copyOf(boxes);
        imageIds = List.copyOf(imageIds);
    }

    public int size() {
        return imageIds.size();
    }

    /** Offset of image {@code i} in {@link #images()}. */
    public int imageOffset(int i) {
        return i * height * width * 3;
    }

    public int totalBoxes() {
        int n = 0;
        for (List<TargetBox> b : boxes) {
            n += b.size();
        }
        return n;
    }
}
