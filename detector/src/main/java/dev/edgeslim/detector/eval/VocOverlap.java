package dev.edgeslim.detector.eval;

/**
 * Box overlap as the PASCAL VOC devkit computes it. VOC boxes are 1-based and inclusive (pixel x1..x2), so a
 * box covers {@code x2 - x1 + 1} pixels: widths, heights, intersections and areas all add 1. This differs from
 * the continuous-coordinate IoU used elsewhere (e.g. NMS) and matters for small boxes; scoring must use the
 * devkit's rule to produce numbers comparable with published VOC results.
 */
public final class VocOverlap {
    private VocOverlap() {
    }

    /** Intersection over union of two VOC boxes; 0 when they do not overlap. */
    public static double iou(double ax1, double ay1, double ax2, double ay2,
                             double bx1, double by1, double bx2, double by2) {
        double iw = Math.min(ax2, bx2) - Math.max(ax1, bx1) + 1;
        double ih = Math.min(ay2, by2) - Math.max(ay1, by1) + 1;
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double union = (ax2 - ax1 + 1) * (ay2 - ay1 + 1) + (bx2 - bx1 + 1) * (by2 - by1 + 1) - inter;
        return inter / union;
    }

    public static double iou(ScoredDetection d, GroundTruth g) {
        return iou(d.x1(), d.y1(), d.x2(), d.y2(), g.x1(), g.y1(), g.x2(), g.y2());
    }

    static void checkBox(double x1, double y1, double x2, double y2) {
        if (!Double.isFinite(x1) || !Double.isFinite(y1) || !Double.isFinite(x2) || !Double.isFinite(y2)) {
            throw new IllegalArgumentException("box coordinates must be finite: " + x1 + "," + y1 + "," + x2 + "," + y2);
        }
        if (x2 < x1 || y2 < y1) {
            throw new IllegalArgumentException("box must have x2 >= x1 and y2 >= y1: " + x1 + "," + y1 + "," + x2 + "," + y2);
        }
    }
}
