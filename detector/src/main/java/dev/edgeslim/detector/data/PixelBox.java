package dev.edgeslim.detector.data;

/**
 * A labelled box in continuous pixel coordinates of an image (0 = left/top border, right/bottom edges exclusive,
 * so a box covering the whole W x H image is (0, 0, W, H)). The augmenter's working form.
 */
public record PixelBox(int classId, double left, double top, double right, double bottom, boolean difficult) {

    public static PixelBox of(VocObject o) {
        return new PixelBox(o.classId(), o.left(), o.top(), o.right(), o.bottom(), o.difficult());
    }

    public double width() {
        return right - left;
    }

    public double height() {
        return bottom - top;
    }
}
