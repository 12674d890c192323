package dev.edgeslim.detector.train.loss;

import dev.edgeslim.detector.train.loss.YoloTargets.Box;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loss on a tiny two-head detector (4x4 and 2x2 grids, 3 anchors each, 2 classes, batch 2), in real TF graphs.
 */
class YoloLossTest {
    // image 0: an 8x6 px box in head 0's cell (row 1, column 2); image 1: a large box (head 1) and a small one
    private static final Box A = new Box(2.5 / 4, 1.5 / 4, 8.0 / 32, 6.0 / 32, 1);
    private static final Box B = new Box(0.3, 0.8, 28.0 / 32, 28.0 / 32, 0);
    private static final Box C = new Box(0.2, 0.15, 5.0 / 32, 5.0 / 32, 0);
    private static final List<List<Box>> IMAGES = List.of(List.of(A), List.of(B, C));

    // yolov4's iou_thresh: several responsible anchors per box, in both heads
    private static final List<HeadDescription> HEADS = TinyHeads.heads(0.213);
    // iou_thresh 1: exactly one responsible anchor per box
    private static final List<HeadDescription> STRICT_HEADS = TinyHeads.heads(1.0);
    private static final LossOptions OPTIONS = LossOptions.defaults();

    // differentiates CIoU's alpha too: its gradient is the exact derivative of the loss value
    private static final LossOptions FULL = OPTIONS.withDetachCiouAlpha(false);

    private static LossHarness<TFloat64> f64;
    private static LossHarness<TFloat32> f32;
    private static LossHarness<TFloat64> f64Full;
    private static LossHarness<TFloat32> f32Full;
    private static LossHarness<TFloat64> strict;

    @BeforeAll
    static void buildGraphs() {
        f64 = new LossHarness<>(HEADS, OPTIONS, TFloat64.class);
        f32 = new LossHarness<>(HEADS, OPTIONS, TFloat32.class);
        f64Full = new LossHarness<>(HEADS, FULL, TFloat64.class);
        f32Full = new LossHarness<>(HEADS, FULL, TFloat32.class);
        strict = new LossHarness<>(STRICT_HEADS, OPTIONS, TFloat64.class);
    }

    @AfterAll
    static void close() {
        for (LossHarness<?> h : List.of(f64, f32, f64Full, f32Full, strict)) {
            h.close();
        }
    }

    private static YoloTargets.Batch targets(List<HeadDescription> heads, YoloTargets.Options options) {
        return new YoloTargets(heads, options).build(IMAGES);
    }

    private static double[][] randomLogits(long seed, double sigma) {
        float[][] shape = TinyHeads.emptyLogits(HEADS, 2);
        Random random = new Random(seed);
        double[][] out = new double[shape.length][];
        for (int h = 0; h < shape.length; h++) {
            out[h] = new double[shape[h].length];
            for (int i = 0; i < out[h].length; i++) {
                // values a float32 holds exactly, so both graphs see the same input
                out[h][i] = (float) (sigma * random.nextGaussian());
            }
        }
        return out;
    }

    @Test
    void graphMatchesAPlainJavaReference() {
        YoloTargets.Batch t = targets(HEADS, new YoloTargets.Options(0.1, true));
        double[][] logits = randomLogits(7, 1.0);
        // make negative anchors predict boxes close to A and B so the ignore rule is exercised: head 1, image 0,
        // row 0, column 1, anchor 1 (A is assigned to anchor 0 there): IoU 0.24/0.26 = 0.92; and head 1, image 1,
        // row 1, column 0, anchor 0
        float[] tmp1 = new float[logits[1].length];
        TinyHeads.setBox(tmp1, HEADS.get(1), 0, 0, 1, 1, A.cx() - 0.01, A.cy(), A.w(), A.h());
        copyBox(tmp1, logits[1], HEADS.get(1), 0, 0, 1, 1);
        // B shifted and shrunk: IoU 0.803 / 0.903 = 0.89 (anchor 3 is not responsible for B: shape IoU 0.18)
        TinyHeads.setBox(tmp1, HEADS.get(1), 1, 1, 0, 0, B.cx() + 0.05, B.cy(), B.w() * 0.95, B.h());
        copyBox(tmp1, logits[1], HEADS.get(1), 1, 1, 0, 0);

        ReferenceYoloLoss.Value ref = ReferenceYoloLoss.compute(HEADS, OPTIONS, logits, t, IMAGES);
        assertTrue(ref.ignored() >= 2, "the scenario should ignore some negatives, got " + ref.ignored());
        double[] v64 = f64.losses(logits, t);
        double[] v32 = f32.losses(logits, t);
        double[] expected = {ref.total(), ref.box(), ref.obj(), ref.cls()};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], v64[i], 1e-10 * Math.abs(expected[i]), "float64 term " + i);
            assertEquals(expected[i], v32[i], 1e-5 * Math.abs(expected[i]), "float32 term " + i);
            assertTrue(expected[i] > 0);
        }
    }

    private static void setBox(double[] logits, HeadDescription head, int b, int y, int x, int a,
                               double cx, double cy, double w, double h) {
        float[] tmp = new float[logits.length];
        TinyHeads.setBox(tmp, head, b, y, x, a, cx, cy, w, h);
        copyBox(tmp, logits, head, b, y, x, a);
    }

    private static void copyBox(float[] from, double[] to, HeadDescription head, int b, int y, int x, int a) {
        for (int e = 0; e < 4; e++) {
            int i = TinyHeads.logitIndex(head, b, y, x, a, e);
            to[i] = from[i];
        }
    }

    @Test
    void nearPerfectPredictionsGiveNearMinimalLosses() {
        YoloTargets.Batch t = targets(HEADS, YoloTargets.Options.defaults());
        double[][] perfect = LossHarness.widen(TinyHeads.perfectLogits(HEADS, t, IMAGES, 16f));
        for (LossHarness<?> harness : List.of(f64, f32)) {
            double[] v = harness.losses(perfect, t);
            // every BCE term is softplus(-16) = 1.1e-7; at most 2*(48+12) anchors, balance <= 4, / batch 2
            assertTrue(v[1] < 1e-5, "box " + v[1]);
            assertTrue(v[2] < 1e-4, "obj " + v[2]);
            assertTrue(v[3] < 1e-4, "cls " + v[3]);
            double[] zero = harness.losses(new double[][] {new double[perfect[0].length], new double[perfect[1].length]}, t);
            assertTrue(zero[1] > 0.01 && zero[2] > 1 && zero[3] > 1, "uninformed logits must cost more");
        }
    }

    @Test
    void wrongClassLogitsRaiseOnlyTheClassLoss() {
        YoloTargets.Batch t = targets(HEADS, YoloTargets.Options.defaults());
        float[][] right = TinyHeads.perfectLogits(HEADS, t, IMAGES, 16f);
        float[][] wrong = TinyHeads.perfectLogits(HEADS, t, IMAGES, 16f);
        int responsible = 0;
        for (int h = 0; h < HEADS.size(); h++) {
            for (YoloTargets.Assignment a : t.heads().get(h).assignments()) {
                for (int c = 0; c < 2; c++) {
                    int i = TinyHeads.logitIndex(HEADS.get(h), a.image(), a.gridY(), a.gridX(), a.anchor(), 5 + c);
                    wrong[h][i] = -wrong[h][i];
                }
                responsible++;
            }
        }
        double[] good = f64.losses(LossHarness.widen(right), t);
        double[] bad = f64.losses(LossHarness.widen(wrong), t);
        // each responsible anchor now pays softplus(16) for both classes: about 2*16, over batch 2
        assertEquals(responsible * 2 * 16.0 / 2, bad[3] - good[3], 1e-3);
        assertEquals(good[1], bad[1], 1e-12);
        assertEquals(good[2], bad[2], 1e-12);
    }

    @Test
    void negativesOverlappingATruthAboveIgnoreThreshCostNoObjectness() {
        YoloTargets.Batch t = targets(STRICT_HEADS, YoloTargets.Options.defaults());
        HeadDescription small = STRICT_HEADS.get(0);
        float[][] base = TinyHeads.perfectLogits(STRICT_HEADS, t, IMAGES, 16f);
        // (image, row, column, anchor) of four negative anchors of head 0 and the boxes they predict
        int[][] anchors = {{0, 1, 2, 0}, {0, 1, 2, 2}, {0, 3, 0, 0}, {1, 1, 2, 0}};
        // 0: A itself (IoU 1 > 0.7): ignored
        TinyHeads.setBox(base[0], small, 0, 1, 2, 0, A.cx(), A.cy(), A.w(), A.h());
        // 1: A shifted by a third of its width: IoU (2/3)/(4/3) = 0.5 < 0.7: a normal negative
        TinyHeads.setBox(base[0], small, 0, 1, 2, 2, A.cx() - A.w() / 3, A.cy(), A.w(), A.h());
        // 2: logits 0 -> a 4x4 px box around (0.125, 0.875), far from A: a normal negative
        // 3: A's box but in image 1, where A is not: a normal negative (the ignore test is per image)
        TinyHeads.setBox(base[0], small, 1, 1, 2, 0, A.cx(), A.cy(), A.w(), A.h());
        assertEquals(0.5, ReferenceYoloLoss.iou(A.cx() - A.w() / 3, A.cy(), A.w(), A.h(), A.cx(), A.cy(), A.w(), A.h()),
                1e-6);
        double before = strict.losses(LossHarness.widen(base), t)[2];
        // a confident false objectness costs balance(stride 8) * (softplus(4) - softplus(-16)) / batch
        double cost = 4.0 * (ReferenceYoloLoss.softplus(4) - ReferenceYoloLoss.softplus(-16)) / 2;
        double[] expectedChange = {0, cost, cost, cost};
        for (int k = 0; k < anchors.length; k++) {
            int[] n = anchors[k];
            float[][] changed = TinyHeads.perfectLogits(STRICT_HEADS, t, IMAGES, 16f);
            System.arraycopy(base[0], 0, changed[0], 0, base[0].length);
            changed[0][TinyHeads.logitIndex(small, n[0], n[1], n[2], n[3], 4)] = 4f;
            double after = strict.losses(LossHarness.widen(changed), t)[2];
            assertEquals(expectedChange[k], after - before, 1e-9, "negative anchor " + k);
        }
    }

    /**
     * Logits entries to check: every channel of a responsible anchor in each head, negative anchors' objectness
     * (one exactly 0, where a naive |x| formulation of the BCE has the wrong gradient), and a negative anchor's x
     * and class logits (no gradient at all). Returns {head, flat index} pairs and sets up {@code logits}.
     */
    private static List<int[]> gradientEntries(double[][] logits, YoloTargets.Batch t) {
        HeadDescription small = HEADS.get(0);
        HeadDescription large = HEADS.get(1);
        List<int[]> entries = new ArrayList<>();
        // responsible for A: head 0, image 0, row 1, column 2, anchor 1 -- x, y, w, h, obj, cls0, cls1
        for (int e = 0; e < 7; e++) {
            entries.add(new int[] {0, TinyHeads.logitIndex(small, 0, 1, 2, 1, e)});
        }
        // responsible for B: head 1, image 1, row 1, column 0, anchor 2 (anchor 5) -- x, y, w, h, obj
        for (int e = 0; e < 5; e++) {
            entries.add(new int[] {1, TinyHeads.logitIndex(large, 1, 1, 0, 2, e)});
        }
        int zeroObj = TinyHeads.logitIndex(small, 1, 0, 3, 2, 4);
        logits[0][zeroObj] = 0;
        entries.add(new int[] {0, zeroObj});
        int otherObj = TinyHeads.logitIndex(large, 0, 1, 1, 1, 4);
        logits[1][otherObj] = 1.25;
        entries.add(new int[] {1, otherObj});
        entries.add(new int[] {0, TinyHeads.logitIndex(small, 0, 3, 3, 2, 0)});
        entries.add(new int[] {0, TinyHeads.logitIndex(small, 0, 3, 3, 2, 5)});
        assertTrue(t.heads().get(0).objMask()[t.heads().get(0).index(0, 1, 2, 1)] > 0);
        assertTrue(t.heads().get(1).objMask()[t.heads().get(1).index(1, 1, 0, 2)] > 0);
        assertEquals(0f, t.heads().get(0).objMask()[t.heads().get(0).index(1, 0, 3, 2)]);
        assertEquals(0f, t.heads().get(1).objMask()[t.heads().get(1).index(0, 1, 1, 1)]);
        assertEquals(0f, t.heads().get(0).objMask()[t.heads().get(0).index(0, 3, 3, 2)]);
        return entries;
    }

    /**
     * Random logits (sigma 0.7), shifted as in a half-trained detector: negatives' objectness by -6, responsible
     * anchors' objectness and class logits by ±2.5 towards their targets. This keeps the total near 1, so float32
     * differences over a 1e-2 step are not lost in rounding. The two checked responsible anchors predict fixed
     * boxes whose edges are at least 0.0035 away from the truth's, so a ±1% step crosses no max/min kink of the
     * IoU or enclosing box (a random box did, once: a 33% "error" that float64 differences reproduced).
     */
    private static double[][] gradientLogits(YoloTargets.Batch t) {
        double[][] logits = randomLogits(11, 0.7);
        for (int h = 0; h < HEADS.size(); h++) {
            HeadDescription head = HEADS.get(h);
            YoloTargets.HeadTargets ht = t.heads().get(h);
            for (YoloTargets.Assignment a : ht.assignments()) {
                int i = ht.index(a.image(), a.gridY(), a.gridX(), a.anchor());
                logits[h][TinyHeads.logitIndex(head, a.image(), a.gridY(), a.gridX(), a.anchor(), 4)] += 2.5;
                for (int c = 0; c < TinyHeads.CLASSES; c++) {
                    int k = TinyHeads.logitIndex(head, a.image(), a.gridY(), a.gridX(), a.anchor(), 5 + c);
                    logits[h][k] += ht.classTargets()[i * TinyHeads.CLASSES + c] > 0.5 ? 2.5 : -2.5;
                }
            }
        }
        // A's anchor: x range [0.4825, 0.8075] around A's [0.5, 0.75], y [0.315, 0.465] inside [0.281, 0.469]
        setBox(logits[0], HEADS.get(0), 0, 1, 2, 1, A.cx() + 0.02, A.cy() + 0.015, 1.3 * A.w(), 0.8 * A.h());
        // B's anchor: x [-0.02, 0.68] inside B's [-0.1375, 0.7375], y [0.30, 1.219] inside [0.3625, 1.2375]
        setBox(logits[1], HEADS.get(1), 1, 1, 0, 2, B.cx() + 0.03, B.cy() - 0.04, 0.8 * B.w(), 1.05 * B.h());
        for (int h = 0; h < HEADS.size(); h++) {
            HeadDescription head = HEADS.get(h);
            YoloTargets.HeadTargets ht = t.heads().get(h);
            for (int b = 0; b < t.batchSize(); b++) {
                for (int y = 0; y < head.gridHeight(); y++) {
                    for (int x = 0; x < head.gridWidth(); x++) {
                        for (int a = 0; a < head.anchors(); a++) {
                            if (ht.objMask()[ht.index(b, y, x, a)] == 0) {
                                logits[h][TinyHeads.logitIndex(head, b, y, x, a, 4)] -= 6;
                            }
                        }
                    }
                }
            }
        }
        return logits;
    }

    @Test
    void tfGradientsAgreeWithFiniteDifferencesOfTheGraph() {
        YoloTargets.Batch t = targets(HEADS, new YoloTargets.Options(0.1, true));
        double[][] logits = gradientLogits(t);
        List<int[]> entries = gradientEntries(logits, t);
        double err64 = check(f64Full.gradients(logits, t), entries, logits, 1e-5, 1e-7, false,
                (l) -> f64Full.losses(l, t)[0]);
        // float32 losses near 1 carry ~1e-7 rounding, i.e. ~1e-5 in a difference over a 0.02 step: errors are
        // taken relative to max(|gradient|, 1e-2) so gradients of 1e-3 are not judged on rounding noise alone
        double err32 = check(f32Full.gradients(logits, t), entries, logits, 1e-2, 1e-2, true,
                (l) -> f32Full.losses(l, t)[0]);
        System.out.printf(Locale.ROOT, "full gradient vs graph finite differences: max relative error "
                + "float64 %.2e (eps 1e-5), float32 %.2e (eps 1e-2)%n", err64, err32);
        assertTrue(err64 < 1e-5, "float64 relative error " + err64);
        assertTrue(err32 < 1e-2, "float32 relative error " + err32);
    }

    @Test
    void detachedAlphaGradientIsTheDerivativeWithAlphaFrozen() {
        YoloTargets.Batch t = targets(HEADS, new YoloTargets.Options(0.1, true));
        double[][] logits = gradientLogits(t);
        List<int[]> entries = gradientEntries(logits, t);
        double[][] frozenAt = copy(logits);
        ToDoubleFunction<double[][]> reference =
                (l) -> ReferenceYoloLoss.compute(HEADS, OPTIONS, l, frozenAt, t, IMAGES).total();
        double err64 = check(f64.gradients(logits, t), entries, logits, 1e-5, 1e-7, false, reference);
        double err32 = check(f32.gradients(logits, t), entries, logits, 1e-5, 1e-3, false, reference);
        System.out.printf(Locale.ROOT, "detached-alpha gradient vs reference finite differences (alpha frozen): "
                + "max relative error float64 %.2e, float32 %.2e%n", err64, err32);
        assertTrue(err64 < 1e-5, "float64 relative error " + err64);
        assertTrue(err32 < 1e-4, "float32 relative error " + err32);
        // and detaching matters: the box entries differ from the full gradient
        double[][] full = f64Full.gradients(logits, t);
        double[][] detached = f64.gradients(logits, t);
        int h = TinyHeads.logitIndex(HEADS.get(0), 0, 1, 2, 1, 3);
        assertTrue(Math.abs(full[0][h] - detached[0][h]) > 1e-4, full[0][h] + " vs " + detached[0][h]);
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }

    /**
     * Largest relative error, |numeric - analytic| / max(|numeric|, |analytic|, floor), between central
     * differences of {@code loss} and the analytic gradient over the entries. With {@code float32Steps} the
     * perturbed values are rounded to floats first, so the denominator is the step the graph really saw.
     */
    private static double check(double[][] analytic, List<int[]> entries, double[][] logits, double eps,
                                double floor, boolean float32Steps, ToDoubleFunction<double[][]> loss) {
        double worst = 0;
        String worstEntry = "";
        for (int[] entry : entries) {
            int h = entry[0];
            int i = entry[1];
            double original = logits[h][i];
            double plus = float32Steps ? (float) (original + eps) : original + eps;
            double minus = float32Steps ? (float) (original - eps) : original - eps;
            logits[h][i] = plus;
            double up = loss.applyAsDouble(logits);
            logits[h][i] = minus;
            double down = loss.applyAsDouble(logits);
            logits[h][i] = original;
            double numeric = (up - down) / (plus - minus);
            double a = analytic[h][i];
            double error = Math.abs(numeric - a) / Math.max(floor, Math.max(Math.abs(numeric), Math.abs(a)));
            if (error >= worst) {
                worst = error;
                worstEntry = String.format(Locale.ROOT, "head %d index %d: analytic %.6e numeric %.6e", h, i, a,
                        numeric);
            }
        }
        System.out.printf(Locale.ROOT, "  worst of %d entries: %s%n", entries.size(), worstEntry);
        return worst;
    }
}
