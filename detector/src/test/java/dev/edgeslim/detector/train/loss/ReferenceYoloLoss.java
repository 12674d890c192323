package dev.edgeslim.detector.train.loss;

import java.util.List;

/**
 * The loss YoloLoss documents, written again as plain loops in double precision, to check the graph's values.
 */
final class ReferenceYoloLoss {
    /** {total, box, obj, cls} and how many negative anchors were ignored. */
    record Value(double total, double box, double obj, double cls, int ignored) {
    }

    private ReferenceYoloLoss() {
    }

    static Value compute(List<HeadDescription> heads, LossOptions options, double[][] logits, YoloTargets.Batch t,
                         List<List<YoloTargets.Box>> images) {
        return compute(heads, options, logits, logits, t, images);
    }

    /**
     * As {@link #compute(List, LossOptions, double[][], YoloTargets.Batch, List)}, but CIoU's alpha is taken from
     * the boxes {@code alphaLogits} decode to: finite differences of this with {@code alphaLogits} fixed give the
     * gradient the graph computes when alpha is detached.
     */
    static Value compute(List<HeadDescription> heads, LossOptions options, double[][] logits, double[][] alphaLogits,
                         YoloTargets.Batch t, List<List<YoloTargets.Box>> images) {
        double box = 0;
        double obj = 0;
        double cls = 0;
        int ignored = 0;
        int classes = heads.get(0).classes();
        for (int h = 0; h < heads.size(); h++) {
            HeadDescription head = heads.get(h);
            YoloTargets.HeadTargets ht = t.heads().get(h);
            double s = head.layer().scaleXY();
            double headObj = 0;
            for (int b = 0; b < t.batchSize(); b++) {
                for (int y = 0; y < head.gridHeight(); y++) {
                    for (int x = 0; x < head.gridWidth(); x++) {
                        for (int a = 0; a < head.anchors(); a++) {
                            int base = (((b * head.gridHeight() + y) * head.gridWidth() + x) * head.anchors() + a)
                                    * (5 + classes);
                            double[] l = new double[5 + classes];
                            System.arraycopy(logits[h], base, l, 0, l.length);
                            double[] p = decode(head, options, l, y, x, a);
                            double px = p[0];
                            double py = p[1];
                            double pw = p[2];
                            double ph = p[3];
                            int i = ht.index(b, y, x, a);
                            boolean pos = ht.objMask()[i] > 0;
                            if (pos) {
                                double[] g = new double[4];
                                for (int k = 0; k < 4; k++) {
                                    g[k] = ht.boxes()[4 * i + k];
                                }
                                double[] la = new double[4];
                                System.arraycopy(alphaLogits[h], base, la, 0, 4);
                                double[] pa = decode(head, options, la, y, x, a);
                                double alpha = alpha(pa[0], pa[1], pa[2], pa[3], g[0], g[1], g[2], g[3]);
                                box += ht.boxWeight()[i] * (1 - ciou(px, py, pw, ph, g[0], g[1], g[2], g[3], alpha));
                                headObj += softplus(l[4]) - l[4];
                                for (int c = 0; c < classes; c++) {
                                    cls += softplus(l[5 + c]) - l[5 + c] * ht.classTargets()[i * classes + c];
                                }
                            } else {
                                double best = -1;
                                for (YoloTargets.Box g : images.get(b)) {
                                    best = Math.max(best, iou(px, py, pw, ph, g.cx(), g.cy(), g.w(), g.h()));
                                }
                                if (best > head.layer().ignoreThresh()) {
                                    ignored++;
                                } else {
                                    headObj += softplus(l[4]);
                                }
                            }
                        }
                    }
                }
            }
            obj += options.objBalance(head.stride()) * headObj;
        }
        int batch = t.batchSize();
        box *= options.iouNormalizer() / batch;
        obj *= options.objNormalizer() / batch;
        cls *= options.clsNormalizer() / batch;
        return new Value(box + obj + cls, box, obj, cls, ignored);
    }

    private static double[] decode(HeadDescription head, LossOptions options, double[] l, int y, int x, int a) {
        double s = head.layer().scaleXY();
        return new double[] {
            (sigmoid(l[0]) * s - (s - 1) / 2 + x) / head.gridWidth(),
            (sigmoid(l[1]) * s - (s - 1) / 2 + y) / head.gridHeight(),
            Math.exp(clamp(l[2], options.maxLogScale())) * head.anchorWidth(a),
            Math.exp(clamp(l[3], options.maxLogScale())) * head.anchorHeight(a)};
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    private static double clamp(double v, double limit) {
        return Math.max(-limit, Math.min(limit, v));
    }

    static double iou(double ax, double ay, double aw, double ah, double bx, double by, double bw, double bh) {
        double iw = Math.max(0, Math.min(ax + aw / 2, bx + bw / 2) - Math.max(ax - aw / 2, bx - bw / 2));
        double ih = Math.max(0, Math.min(ay + ah / 2, by + bh / 2) - Math.max(ay - ah / 2, by - bh / 2));
        double inter = iw * ih;
        return inter / (aw * ah + bw * bh - inter + YoloLoss.EPS);
    }

    private static double v(double pw, double ph, double tw, double th) {
        return 4 / (Math.PI * Math.PI) * Math.pow(Math.atan(tw / th) - Math.atan(pw / ph), 2);
    }

    static double alpha(double px, double py, double pw, double ph, double tx, double ty, double tw, double th) {
        double v = v(pw, ph, tw, th);
        return v / (1 - iou(px, py, pw, ph, tx, ty, tw, th) + v + YoloLoss.EPS);
    }

    static double ciou(double px, double py, double pw, double ph, double tx, double ty, double tw, double th,
                       double alpha) {
        double iou = iou(px, py, pw, ph, tx, ty, tw, th);
        double cw = Math.max(px + pw / 2, tx + tw / 2) - Math.min(px - pw / 2, tx - tw / 2);
        double ch = Math.max(py + ph / 2, ty + th / 2) - Math.min(py - ph / 2, ty - th / 2);
        double rho2 = (px - tx) * (px - tx) + (py - ty) * (py - ty);
        double v = v(pw, ph, tw, th);
        return iou - rho2 / (cw * cw + ch * ch + YoloLoss.EPS) - alpha * v;
    }
}
