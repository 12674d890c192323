package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.YoloLayer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A detection-level comparison of two sets of head outputs: both are decoded as darknet does (x, y with
 * scale_x_y, w, h from the anchors, score = σ(objectness) · max σ(class); a new_coords head's values are already
 * activated and its sizes are (2v)² · anchor), the reference's K best candidates
 * are looked up among the other's 2K best, and matched candidates' boxes are compared by IoU.
 */
public final class DetectionAgreement {
    /** Fraction of the reference's top K found in the other's top 2K, and their mean box IoU. */
    public record Result(double recall, double meanIou) {
    }

    private record Box(double cx, double cy, double w, double h, double score) {
    }

    private DetectionAgreement() {
    }

    public static Result compare(NetworkSpec spec, float[][] actual, float[][] reference, int k) {
        List<Box> a = decode(spec, actual);
        List<Box> r = decode(spec, reference);
        List<Integer> topR = top(r, k);
        Set<Integer> topA = new HashSet<>(top(a, 2 * k));
        int found = 0;
        double iou = 0;
        for (int i : topR) {
            if (topA.contains(i)) {
                found++;
            }
            iou += iou(a.get(i), r.get(i));
        }
        return new Result((double) found / topR.size(), iou / topR.size());
    }

    private static List<Integer> top(List<Box> boxes, int k) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            idx.add(i);
        }
        idx.sort(Comparator.comparingDouble((Integer i) -> -boxes.get(i).score()));
        return idx.subList(0, Math.min(k, idx.size()));
    }

    private static List<Box> decode(NetworkSpec spec, float[][] heads) {
        List<Box> out = new ArrayList<>();
        List<Integer> yolo = spec.yoloLayers();
        for (int hIdx = 0; hIdx < yolo.size(); hIdx++) {
            YoloLayer y = (YoloLayer) spec.layer(yolo.get(hIdx));
            Shape s = spec.shapeOf(yolo.get(hIdx));
            int per = y.valuesPerAnchor();
            float[] m = heads[hIdx];
            double sxy = y.scaleXY();
            boolean nc = y.newCoords();
            for (int gy = 0; gy < s.height(); gy++) {
                for (int gx = 0; gx < s.width(); gx++) {
                    for (int a = 0; a < y.mask().size(); a++) {
                        int base = (gy * s.width() + gx) * s.channels() + a * per;
                        double cx = (gx + act(m[base], nc) * sxy - (sxy - 1) / 2) / s.width();
                        double cy = (gy + act(m[base + 1], nc) * sxy - (sxy - 1) / 2) / s.height();
                        double w = size(m[base + 2], nc) * y.anchorWidth(a) / spec.net().width();
                        double h = size(m[base + 3], nc) * y.anchorHeight(a) / spec.net().height();
                        double best = 0;
                        for (int c = 5; c < per; c++) {
                            best = Math.max(best, act(m[base + c], nc));
                        }
                        out.add(new Box(cx, cy, w, h, act(m[base + 4], nc) * best));
                    }
                }
            }
        }
        return out;
    }

    private static double iou(Box a, Box b) {
        double ix = Math.max(0, Math.min(a.cx() + a.w() / 2, b.cx() + b.w() / 2) - Math.max(a.cx() - a.w() / 2, b.cx() - b.w() / 2));
        double iy = Math.max(0, Math.min(a.cy() + a.h() / 2, b.cy() + b.h() / 2) - Math.max(a.cy() - a.h() / 2, b.cy() - b.h() / 2));
        double inter = ix * iy;
        return inter / (a.w() * a.h() + b.w() * b.h() - inter);
    }

    private static double act(double x, boolean newCoords) {
        return newCoords ? x : 1 / (1 + Math.exp(-x));
    }

    private static double size(double x, boolean newCoords) {
        return newCoords ? 4 * x * x : Math.exp(Math.min(x, 10));
    }
}
