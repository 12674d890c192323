package dev.edgeslim.detector.eval;

import java.util.Objects;

/**
 * One detection to be scored: image, class, confidence and box, in the same 1-based inclusive VOC pixel
 * convention as {@link GroundTruth} (a detector working in 0-based continuous coordinates adds 1, as darknet's
 * {@code validate_detector} and the devkit writers do).
 */
public record ScoredDetection(String imageId, int classId, double score, double x1, double y1, double x2, double y2) {

    public ScoredDetection {
        Objects.requireNonNull(imageId, "imageId");
        if (classId < 0) {
            throw new IllegalArgumentException("classId must be >= 0, got " + classId);
        }
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite, got " + score);
        }
        VocOverlap.checkBox(x1, y1, x2, y2);
    }
}
