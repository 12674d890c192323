package dev.edgeslim.detector.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The content of one VOC annotation XML: the image it describes (already resolved and checked to lie inside the
 * dataset) and its objects, in file order.
 */
public record VocAnnotation(String imageId, Path imagePath, int width, int height, int depth,
                            List<VocObject> objects) {
    public VocAnnotation {
        objects = List.copyOf(objects);
    }
}
