package dev.edgeslim.detector.data;

/**
 * One annotated object as written in a VOC XML: 1-based inclusive pixel coordinates, so a box covering the
 * whole W x H image is (1, 1, W, H). {@link #left()} ... {@link #bottom()} give the same box as continuous
 * 0-based pixel edges ([x1 - 1, x2]), the form used for geometry and training targets.
 */
public record VocObject(int classId, String className, double x1, double y1, double x2, double y2,
                        boolean difficult, boolean truncated) {

    /** Left edge in continuous pixel coordinates (0 = left border of the image). */
    public double left() {
        return Math.max(0, x1 - 1);
    }

    public double top() {
        return Math.max(0, y1 - 1);
    }

    public double right() {
        return x2;
    }

    public double bottom() {
        return y2;
    }

    public double width() {
        return right() - left();
    }

    public double height() {
        return bottom() - top();
    }
}
