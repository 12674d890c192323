package dev.edgeslim.detector.model.builtin;

import java.util.ArrayList;
import java.util.List;

/**
 * Anchor boxes (w,h pairs in input pixels) as published for one reference input size. A model built for another
 * input size gets them scaled proportionally per axis ({@code w * width / referenceWidth}, same for h) and
 * rounded to 0.01 px, so objects keep the same size relative to the image; at the reference size the published
 * values come back unchanged.
 */
public record ReferenceAnchors(List<Double> pixels, int referenceWidth, int referenceHeight) {

    /** YOLOv4's COCO anchors; yolov4.cfg declares them for 608x608. */
    public static final ReferenceAnchors YOLOV4 = new ReferenceAnchors(List.of(12.0, 16.0, 19.0, 36.0, 40.0, 28.0,
            36.0, 75.0, 76.0, 55.0, 72.0, 146.0, 142.0, 110.0, 192.0, 243.0, 459.0, 401.0), 608, 608);

    /** YOLOv4-tiny's COCO anchors; yolov4-tiny.cfg declares them for 416x416. */
    public static final ReferenceAnchors YOLOV4_TINY = new ReferenceAnchors(List.of(10.0, 14.0, 23.0, 27.0, 37.0,
            58.0, 81.0, 82.0, 135.0, 169.0, 344.0, 319.0), 416, 416);

    public ReferenceAnchors {
        pixels = List.copyOf(pixels);
        if (pixels.isEmpty() || pixels.size() % 2 != 0) {
            throw new IllegalArgumentException("anchors must be w,h pairs, got " + pixels.size() + " values");
        }
    }

    /** Number of anchor boxes. */
    public int count() {
        return pixels.size() / 2;
    }

    /** The anchors for an input of {@code width} x {@code height} pixels. */
    public List<Double> scaledTo(int width, int height) {
        List<Double> out = new ArrayList<>(pixels.size());
        for (int i = 0; i < pixels.size(); i++) {
            double factor = i % 2 == 0 ? (double) width / referenceWidth : (double) height / referenceHeight;
            out.add(Math.round(pixels.get(i) * factor * 100) / 100.0);
        }
        return out;
    }
}
