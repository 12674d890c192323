package dev.edgeslim.detector.postprocess;

import java.util.Locale;

/**
 * One detected object: a class, a score in [0, 1] and a box given by its corners (x1, y1) top-left and
 * (x2, y2) bottom-right. Coordinates are pixels of the frame the producer documents: {@link YoloDecoder}
 * gives network-input pixels, {@link Detector} and {@link InputTransform#toImage(Detection)} original-image pixels.
 * Immutable.
 */
public final class Detection {
    private final int classId;
    private final String className;
    private final float score;
    private final float x1;
    private final float y1;
    private final float x2;
    private final float y2;

    public Detection(int classId, String className, float score, float x1, float y1, float x2, float y2) {
        if (classId < 0) {
            throw new IllegalArgumentException("classId must be >= 0, got " + classId);
        }
        this.classId = classId;
        this.className = className;
        this.score = score;
        this.x1 = x1;
        this.y1 = y1;
        this.x2 = x2;
        this.y2 = y2;
    }

    /** A detection without a class name. */
    public Detection(int classId, float score, float x1, float y1, float x2, float y2) {
        this(classId, null, score, x1, y1, x2, y2);
    }

    public int classId() {
        return classId;
    }

    /** The class name, or null when the producer had no names. */
    public String className() {
        return className;
    }

    /** The class name, or "class N" when there is none (for labels and logs). */
    public String label() {
        return className != null ? className : "class " + classId;
    }

    public float score() {
        return score;
    }

    public float x1() {
        return x1;
    }

    public float y1() {
        return y1;
    }

    public float x2() {
        return x2;
    }

    public float y2() {
        return y2;
    }

    public float width() {
        return Math.max(0f, x2 - x1);
    }

    public float height() {
        return Math.max(0f, y2 - y1);
    }

    public float area() {
        return width() * height();
    }

    public float centerX() {
        return (x1 + x2) / 2f;
    }

    public float centerY() {
        return (y1 + y2) / 2f;
    }

    /** Intersection over union of the two boxes; 0 when either box is empty. */
    public float iou(Detection other) {
        float iw = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        float ih = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        if (iw <= 0f || ih <= 0f) {
            return 0f;
        }
        float inter = iw * ih;
        float union = area() + other.area() - inter;
        return union > 0f ? inter / union : 0f;
    }

    public Detection withClassName(String name) {
        return new Detection(classId, name, score, x1, y1, x2, y2);
    }

    public Detection withBox(float nx1, float ny1, float nx2, float ny2) {
        return new Detection(classId, className, score, nx1, ny1, nx2, ny2);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Detection)) {
            return false;
        }
        Detection d = (Detection) o;
        return classId == d.classId
                && (className == null ? d.className == null : className.equals(d.className))
                && Float.compare(score, d.score) == 0
                && Float.compare(x1, d.x1) == 0 && Float.compare(y1, d.y1) == 0
                && Float.compare(x2, d.x2) == 0 && Float.compare(y2, d.y2) == 0;
    }

    @Override
    public int hashCode() {
        int h = classId;
        h = 31 * h + (className == null ? 0 : className.hashCode());
        h = 31 * h + Float.floatToIntBits(score);
        h = 31 * h + Float.floatToIntBits(x1);
        h = 31 * h + Float.floatToIntBits(y1);
        h = 31 * h + Float.floatToIntBits(x2);
        return 31 * h + Float.floatToIntBits(y2);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %.3f [%.1f, %.1f, %.1f, %.1f]", label(), score, x1, y1, x2, y2);
    }
}
