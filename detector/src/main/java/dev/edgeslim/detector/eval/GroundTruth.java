package dev.edgeslim.detector.eval;

import java.util.Objects;

/**
 * One annotated object as the VOC devkit sees it. Coordinates are pixels in the VOC convention: 1-based and
 * inclusive, so a box from x1=1 to x2=10 is 10 pixels wide (see {@link VocOverlap}).
 * {@code difficult} objects are neither required nor penalised: a detection on one is ignored.
 */
public record GroundTruth(String imageId, int classId, double x1, double y1, double x2, double y2, boolean difficult) {

    public GroundTruth {
        Objects.requireNonNull(imageId, "imageId");
        if (classId < 0) {
            throw new IllegalArgumentException("classId must be >= 0, got " + classId);
        }
        VocOverlap.checkBox(x1, y1, x2, y2);
    }

    /** A non-difficult object. */
    public static GroundTruth of(String imageId, int classId, double x1, double y1, double x2, double y2) {
        return new GroundTruth(imageId, classId, x1, y1, x2, y2, false);
    }
}
