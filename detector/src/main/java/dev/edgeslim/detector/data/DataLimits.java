package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.LimitProperty;

/**
 * Upper bounds on dataset inputs, checked before anything is read or allocated, so a hostile or broken file
 * (a 2 GB "annotation", an image declaring 100000x100000 pixels, a million objects) is a clear
 * {@link dev.edgeslim.detector.io.BadInputException} instead of an OutOfMemoryError or a stall.
 * Each can be raised with a system property, e.g. {@code -Dedgeslim.limit.maxAnnotationBytes=4194304}.
 * Image limits (pixels, file size) are {@link dev.edgeslim.detector.image.ImageLoader}'s.
 */
public final class DataLimits {
    /** Largest annotation XML read (a VOC annotation is ~1 KB). */
    public static final long MAX_ANNOTATION_BYTES = LimitProperty.get("maxAnnotationBytes", 1L << 20);
    /** Most objects one annotation may declare. */
    public static final int MAX_OBJECTS = (int) Math.min(Integer.MAX_VALUE, LimitProperty.get("maxObjectsPerImage", 10_000));
    /** Largest ImageSets list or class-names file read. */
    public static final long MAX_LIST_BYTES = LimitProperty.get("maxListBytes", 64L << 20);

    private DataLimits() {
    }
}
