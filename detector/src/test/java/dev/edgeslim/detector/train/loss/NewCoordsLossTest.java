package dev.edgeslim.detector.train.loss;

import dev.edgeslim.detector.train.loss.YoloTargets.Box;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat64;

import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loss of {@code new_coords=1} heads (Scaled-YOLOv4, YOLOv7): the head's values are sigmoid outputs
 * (probabilities), boxes are x = (v·2 − 0.5 + cell)/W and w = (2v)²·anchor. Real float64 TF graphs.
 */
class NewCoordsLossTest {
    private static final Box A = new Box(2.5 / 4, 1.5 / 4, 8.0 / 32, 6.0 / 32, 1);
    private static final Box B = new Box(0.3, 0.8, 28.0 / 32, 28.0 / 32, 0);
    private static final List<List<Box>> IMAGES = List.of(List.of(A), List.of(B));
    private static final List<HeadDescription> HEADS = TinyHeads.newCoordsHeads(0.213);

    private static LossHarness<TFloat64> full;
    private static YoloTargets.Batch targets;

    @BeforeAll
    static void build() {
        full = new LossHarness<>(HEADS, LossOptions.defaults().withDetachCiouAlpha(false), TFloat64.class);
        targets = new YoloTargets(HEADS, new YoloTargets.Options(0.1, true)).build(IMAGES);
    }

    @AfterAll
    static void close() {
        full.close();
    }

    /** Sigmoid outputs of random logits, objectness and classes of responsible anchors leaning to their targets. */
    private static double[][] values(long seed) {
        float[][] shape = TinyHeads.emptyLogits(HEADS, 2);
        Random random = new Random(seed);
        double[][] v = new double[shape.length][];
        for (int h = 0; h < shape.length; h++) {
            v[h] = new double[shape[h].length];
            for (int i = 0; i < v[h].length; i++) {
                v[h][i] = 1 / (1 + Math.exp(-0.7 * random.nextGaussian()));
            }
            for (int i = 4; i < v[h].length; i += TinyHeads.VALUES) {
                v[h][i] *= 0.2; // negatives: low objectness, as in a half-trained detector
            }
        }
        return v;
    }

    @Test
    void gradientsAgreeWithFiniteDifferences() {
        double[][] v = values(5);
        double[][] analytic = full.gradients(v, targets);
        double worst = 0;
        int checked = 0;
        for (int h = 0; h < HEADS.size(); h++) {
            YoloTargets.HeadTargets ht = targets.heads().get(h);
            for (YoloTargets.Assignment a : ht.assignments()) {
                for (int e = 0; e < TinyHeads.VALUES; e++) {
                    int i = TinyHeads.logitIndex(HEADS.get(h), a.image(), a.gridY(), a.gridX(), a.anchor(), e);
                    worst = Math.max(worst, relativeError(v, analytic, h, i));
                    checked++;
                }
            }
            // a negative anchor's objectness
            int neg = TinyHeads.logitIndex(HEADS.get(h), 0, 0, 0, 0, 4);
            worst = Math.max(worst, relativeError(v, analytic, h, neg));
            checked++;
        }
        System.out.printf(Locale.ROOT, "new_coords gradient vs finite differences: %d entries, max relative error "
                + "%.2e%n", checked, worst);
        assertTrue(checked > 20, "too few responsible anchors checked: " + checked);
        assertTrue(worst < 1e-5, "float64 relative error " + worst);
    }

    private static double relativeError(double[][] v, double[][] analytic, int h, int i) {
        double eps = 1e-6;
        double original = v[h][i];
        v[h][i] = original + eps;
        double up = full.losses(v, targets)[0];
        v[h][i] = original - eps;
        double down = full.losses(v, targets)[0];
        v[h][i] = original;
        double numeric = (up - down) / (2 * eps);
        return Math.abs(numeric - analytic[h][i]) / Math.max(1e-6, Math.max(Math.abs(numeric), Math.abs(analytic[h][i])));
    }

    @Test
    void theBoxLossVanishesWhereTheDecodedBoxIsTheTruth() {
        double[][] v = values(9);
        // A is at column 2.5 / row 1.5 of head 0: cell (1, 2), offset 0.5 -> v = (0.5 + 0.5) / 2 = 0.5;
        // its size 8x6 px from anchor 1 (8x6): (2v)^2 = 1 -> v = 0.5
        for (YoloTargets.Assignment a : targets.heads().get(0).assignments()) {
            HeadDescription head = HEADS.get(0);
            double cx = (A.cx() * head.gridWidth() - a.gridX() + 0.5) / 2;
            double cy = (A.cy() * head.gridHeight() - a.gridY() + 0.5) / 2;
            double[] box = {cx, cy, Math.sqrt(A.w() / head.anchorWidth(a.anchor())) / 2,
                    Math.sqrt(A.h() / head.anchorHeight(a.anchor())) / 2};
            for (int e = 0; e < 4; e++) {
                v[0][TinyHeads.logitIndex(head, a.image(), a.gridY(), a.gridX(), a.anchor(), e)] = box[e];
            }
        }
        double[][] off = copy(v);
        for (YoloTargets.Assignment a : targets.heads().get(0).assignments()) {
            off[0][TinyHeads.logitIndex(HEADS.get(0), a.image(), a.gridY(), a.gridX(), a.anchor(), 2)] *= 1.3;
        }
        double[] exact = full.losses(v, targets);
        double[] wrong = full.losses(off, targets);
        // image 1's box B still costs; the difference is A's anchors only
        assertTrue(wrong[1] - exact[1] > 1e-3, "a 1.69x wider box must cost more: " + exact[1] + " vs " + wrong[1]);
        double[][] g = full.gradients(off, targets);
        for (YoloTargets.Assignment a : targets.heads().get(0).assignments()) {
            double dw = g[0][TinyHeads.logitIndex(HEADS.get(0), a.image(), a.gridY(), a.gridX(), a.anchor(), 2)];
            assertTrue(dw > 0, "too wide: descending the gradient must shrink v_w, got dL/dv_w=" + dw);
        }
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }
}
