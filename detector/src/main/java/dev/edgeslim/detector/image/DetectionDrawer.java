package dev.edgeslim.detector.image;

import dev.edgeslim.detector.postprocess.Detection;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

/**
 * Draws detections on an image: a box in a colour of its own per class, and a filled label above it with the
 * class name and score. Line width and font size grow with the image so labels stay legible.
 */
public final class DetectionDrawer {

    /** Draws in place on a BGR Mat. Boxes are in this image's pixels (clipped to it). */
    public void draw(Mat bgr, List<Detection> detections) {
        int w = bgr.cols();
        int h = bgr.rows();
        int thickness = Math.max(1, Math.round(Math.min(w, h) / 300f));
        double fontScale = Math.max(0.35, Math.min(w, h) / 900.0);
        int fontThickness = Math.max(1, thickness / 2);
        try (PointerScope scope = new PointerScope()) {
            for (Detection d : detections) {
                int x1 = clamp(Math.round(d.x1()), 0, w - 1);
                int y1 = clamp(Math.round(d.y1()), 0, h - 1);
                int x2 = clamp(Math.round(d.x2()), 0, w - 1);
                int y2 = clamp(Math.round(d.y2()), 0, h - 1);
                int rgb = colorOf(d.classId());
                Scalar color = bgrScalar(rgb);
                rectangle(bgr, new Point(x1, y1), new Point(x2, y2), color, thickness, LINE_8, 0);

                String label = asciiOnly(d.label()) + String.format(Locale.ROOT, " %.2f", d.score());
                int[] baseline = new int[1];
                Size text = getTextSize(label, FONT_HERSHEY_SIMPLEX, fontScale, fontThickness, baseline);
                int boxHeight = text.height() + baseline[0] + 2 * thickness;
                // label above the box when there is room, otherwise just inside its top edge
                int top = y1 - boxHeight >= 0 ? y1 - boxHeight : y1;
                int right = Math.min(w - 1, x1 + text.width() + 2 * thickness);
                rectangle(bgr, new Point(x1, top), new Point(right, top + boxHeight), color, FILLED, LINE_8, 0);
                Scalar ink = luminance(rgb) > 140 ? new Scalar(0, 0, 0, 0) : new Scalar(255, 255, 255, 0);
                putText(bgr, label, new Point(x1 + thickness, top + boxHeight - baseline[0] - thickness),
                        FONT_HERSHEY_SIMPLEX, fontScale, ink, fontThickness, LINE_AA, false);
            }
        }
    }

    /** Returns a copy of {@code image} with the detections drawn on it. */
    public RgbImage draw(RgbImage image, List<Detection> detections) {
        try (Mat bgr = image.toBgrMat()) {
            draw(bgr, detections);
            return RgbImage.fromMat(bgr);
        }
    }

    /** Draws the detections on a copy of {@code image} and writes it atomically (format from the extension). */
    public void drawAndWrite(RgbImage image, List<Detection> detections, Path file) throws IOException {
        try (Mat bgr = image.toBgrMat()) {
            draw(bgr, detections);
            ImageWriter.write(bgr, file);
        }
    }

    /**
     * The colour of a class as 0xRRGGBB: hues spaced by the golden ratio, so neighbouring class ids get clearly
     * different colours for any number of classes.
     */
    public static int colorOf(int classId) {
        double hue = (classId * 0.618033988749895 + 0.1) % 1.0;
        return hsvToRgb(hue, 0.85, 0.95);
    }

    private static int hsvToRgb(double h, double s, double v) {
        double h6 = h * 6.0;
        int sector = (int) Math.floor(h6) % 6;
        double f = h6 - Math.floor(h6);
        double p = v * (1 - s);
        double q = v * (1 - f * s);
        double t = v * (1 - (1 - f) * s);
        double r;
        double g;
        double b;
        switch (sector) {
            case 0 -> { r = v; g = t; b = p; }
            case 1 -> { r = q; g = v; b = p; }
            case 2 -> { r = p; g = v; b = t; }
            case 3 -> { r = p; g = q; b = v; }
            case 4 -> { r = t; g = p; b = v; }
            default -> { r = v; g = p; b = q; }
        }
        return (to8(r) << 16) | (to8(g) << 8) | to8(b);
    }

    private static int to8(double c) {
        return (int) Math.round(Math.max(0, Math.min(1, c)) * 255);
    }

    private static Scalar bgrScalar(int rgb) {
        return new Scalar(rgb & 0xFF, (rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF, 0);
    }

    private static double luminance(int rgb) {
        return 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
    }

    /** OpenCV's Hershey fonts cover ASCII only. */
    private static String asciiOnly(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 32 && c < 127 ? c : '?');
        }
        return sb.toString();
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
