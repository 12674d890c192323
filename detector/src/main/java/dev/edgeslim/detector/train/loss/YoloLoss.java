package dev.edgeslim.detector.train.loss;

import dev.edgeslim.detector.model.YoloLayer;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

import java.util.ArrayList;
import java.util.List;

/**
 * The YOLOv4 training loss, built into a TF graph from each head's raw logits.
 * <p>
 * <b>Logits.</b> Per [yolo] layer, NHWC {@code [B, H, W, A*(5+C)]} with channel {@code a*(5+C)+e}. Decoding
 * follows darknet: {@code x = (sigmoid(e0)*s - (s-1)/2 + column) / W} with {@code s = scale_x_y} (y alike with
 * e1), {@code w = exp(e2) * anchorW / inputW} (h alike with e3), e4 objectness, e5.. classes (independent
 * sigmoids). {@code e2, e3} are clamped to ±{@link LossOptions#maxLogScale()} before {@code exp}.
 * <p>
 * <b>Terms</b>, each summed over anchors and divided by the batch size (so the gradient matches darknet's
 * per-element deltas accumulated over a batch and averaged by the learning rate):
 * <ul>
 *   <li>box: {@code iou_normalizer * sum(boxWeight * (1 - CIoU(pred, target)))} at responsible anchors. CIoU =
 *       IoU - rho²/c² - alpha·v with v = 4/π²·(atan(w_t/h_t) - atan(w_p/h_p))² and
 *       alpha = v / (1 - IoU + v) held constant by default (stop-gradient, as the CIoU authors' code and
 *       YOLOv5 do; {@link LossOptions#detachCiouAlpha()}); v itself is differentiated through Atan (TF Java
 *       1.1.0 has its gradient registered, no custom gradient needed). Computed on boxes in input fractions,
 *       as darknet does.</li>
 *   <li>objectness: {@code obj_normalizer * balance(stride) * sum(BCE)} with target 1 at responsible anchors
 *       and 0 at all others, except that a non-responsible anchor whose predicted box overlaps any ground truth
 *       of its image with IoU &gt; ignore_thresh contributes nothing (darknet's ignore rule; the mask is computed
 *       in the graph under stop-gradient).</li>
 *   <li>class: {@code cls_normalizer * sum(BCE(class logits, class targets))} at responsible anchors.</li>
 * </ul>
 * BCE with logits is {@code softplus(x) - x*z} with the stable softplus {@code m + log1p(exp(x - 2m))},
 * {@code m = max(x, 0)}. This is the usual {@code max(x,0) - x*z + log1p(exp(-|x|))} with {@code -|x|} written as
 * {@code x - 2m}: the same values, but at exactly x = 0 autodiff then yields the true derivative
 * {@code sigmoid(0) - z} (with Abs the subgradients of Maximum and Abs at 0 do not add up and give 1 - z).
 * <p>
 * Only ops with registered gradients in TF Java 1.1.0 are used on the differentiated path (Reshape, SplitV,
 * Sigmoid, Exp, Minimum/Maximum, Mul/Add/Sub/RealDiv, Square, Atan, Log1p, Sum); the ignore mask uses
 * Greater/Max/Cast behind StopGradient. The graph works in float32 or float64 ({@code type}).
 */
public final class YoloLoss {
    /** Guards divisions and box sizes; negligible against any real box (fractions of the input). */
    static final double EPS = 1e-9;

    private YoloLoss() {
    }

    /** Target placeholders of one head (shapes as in {@link YoloTargets.HeadTargets}, batch dimension open). */
    public record HeadInputs<T extends TFloating>(Placeholder<T> objMask, Placeholder<T> boxes,
                                                 Placeholder<T> classTargets, Placeholder<T> boxWeight) {
    }

    /** The float32 loss. */
    public static Components<TFloat32> build(Ops tf, List<? extends Operand<TFloat32>> headLogits,
                                             List<HeadDescription> heads, LossOptions options) {
        return build(tf, headLogits, heads, options, TFloat32.class);
    }

    /**
     * Builds the loss under {@code tf}'s scope (sub-scope "yolo_loss"); {@code headLogits.get(i)} are the raw
     * logits of {@code heads.get(i)}. {@code type} is TFloat32 or TFloat64.
     */
    public static <T extends TFloating> Components<T> build(Ops tf, List<? extends Operand<T>> headLogits,
                                                            List<HeadDescription> heads, LossOptions options,
                                                            Class<T> type) {
        if (type != TFloat32.class && type != TFloat64.class) {
            throw new IllegalArgumentException("the loss is built in TFloat32 or TFloat64, not " + type.getSimpleName());
        }
        if (headLogits.size() != heads.size() || heads.isEmpty()) {
            throw new IllegalArgumentException("need one logits operand per head, got " + headLogits.size()
                    + " logits for " + heads.size() + " heads");
        }
        for (int h = 0; h < heads.size(); h++) {
            checkLogitsShape(h, headLogits.get(h).shape(), heads.get(h));
        }
        Ops scope = tf.withSubScope("yolo_loss");
        GraphMath<T> g = new GraphMath<>(scope, type);

        Placeholder<T> gtBoxes = scope.withName("gt_boxes").placeholder(type, Placeholder.shape(Shape.of(-1, -1, 4)));
        Placeholder<T> gtValid = scope.withName("gt_valid").placeholder(type, Placeholder.shape(Shape.of(-1, -1)));
        // ground truths as [B, 1, M] so they broadcast against [B, H*W*A, 1] predictions
        Box<T> truths = new Box<>(gtComponent(scope, gtBoxes, 0), gtComponent(scope, gtBoxes, 1),
                gtComponent(scope, gtBoxes, 2), gtComponent(scope, gtBoxes, 3));
        Operand<T> valid = scope.expandDims(gtValid, scope.constant(1));

        List<HeadInputs<T>> inputs = new ArrayList<>();
        List<Operand<T>> boxTerms = new ArrayList<>();
        List<Operand<T>> objTerms = new ArrayList<>();
        List<Operand<T>> clsTerms = new ArrayList<>();
        for (int h = 0; h < heads.size(); h++) {
            HeadDescription head = heads.get(h);
            Ops hs = scope.withSubScope("head" + h);
            GraphMath<T> hg = new GraphMath<>(hs, type);
            int gh = head.gridHeight();
            int gw = head.gridWidth();
            int a = head.anchors();
            int c = head.classes();
            HeadInputs<T> in = new HeadInputs<>(
                    hs.withName("obj_mask").placeholder(type, Placeholder.shape(Shape.of(-1, gh, gw, a))),
                    hs.withName("boxes").placeholder(type, Placeholder.shape(Shape.of(-1, gh, gw, a, 4))),
                    hs.withName("class_targets").placeholder(type, Placeholder.shape(Shape.of(-1, gh, gw, a, c))),
                    hs.withName("box_weight").placeholder(type, Placeholder.shape(Shape.of(-1, gh, gw, a))));
            inputs.add(in);

            Operand<T> raw = hs.reshape(headLogits.get(h), hs.constant(new int[] {-1, gh, gw, a, 5 + c}));
            List<Operand<T>> e = new ArrayList<>(hs.splitV(raw, hs.constant(new int[] {1, 1, 1, 1, 1, c}),
                    hs.constant(-1), 6L).output());
            Box<T> pred = hg.decode(head, e.get(0), e.get(1), e.get(2), e.get(3), options.maxLogScale());

            // box: 1 - CIoU at responsible anchors
            List<Operand<T>> t = new ArrayList<>(hs.splitV(in.boxes(), hs.constant(new int[] {1, 1, 1, 1}),
                    hs.constant(-1), 4L).output());
            Box<T> target = new Box<>(t.get(0), t.get(1), hg.max(t.get(2), hg.c(EPS)), hg.max(t.get(3), hg.c(EPS)));
            Operand<T> boxLoss = hg.perAnchor(hg.ciouLoss(pred, target, options.detachCiouAlpha()), head);
            boxTerms.add(hg.sum(hg.mul(boxLoss, in.boxWeight())));

            // objectness: positives at responsible anchors, negatives elsewhere unless ignored
            Operand<T> ignore = hg.ignoreMask(pred, truths, valid, head);
            boolean activated = head.layer().newCoords();
            Operand<T> objValue = hg.perAnchor(e.get(4), head);
            Operand<T> pos = in.objMask();
            Operand<T> negWeight = hg.mul(hg.sub(hg.c(1), pos), hg.sub(hg.c(1), ignore));
            Operand<T> objLoss = hg.add(hg.mul(pos, hg.bce(objValue, hg.c(1), activated)),
                    hg.mul(negWeight, hg.bce(objValue, hg.c(0), activated)));
            objTerms.add(hg.mul(hg.c(options.objBalance(head.stride())), hg.sum(objLoss)));

            // classes: independent BCE per class at responsible anchors
            Operand<T> clsBce = hg.bce(e.get(5), in.classTargets(), activated);
            clsTerms.add(hg.sum(hg.mul(clsBce, hs.expandDims(pos, hs.constant(-1)))));
        }
        Operand<T> batch = scope.dtypes.cast(scope.stridedSlice(scope.shape(headLogits.get(0)), Indices.at(0)), type);
        Operand<T> box = g.div(g.mul(g.c(options.iouNormalizer()), g.addAll(boxTerms)), batch);
        Operand<T> obj = g.div(g.mul(g.c(options.objNormalizer()), g.addAll(objTerms)), batch);
        Operand<T> cls = g.div(g.mul(g.c(options.clsNormalizer()), g.addAll(clsTerms)), batch);
        Operand<T> total = scope.withName("total").identity(g.add(g.add(box, obj), cls));
        return new Components<>(type, heads, scope.withName("box").identity(box),
                scope.withName("obj").identity(obj), scope.withName("cls").identity(cls), total,
                inputs, gtBoxes, gtValid);
    }

    private static <T extends TFloating> Operand<T> gtComponent(Ops tf, Operand<T> gtBoxes, int k) {
        Operand<T> column = tf.stridedSlice(gtBoxes, Indices.all(), Indices.all(), Indices.at(k));
        return tf.expandDims(column, tf.constant(1));
    }

    private static void checkLogitsShape(int h, Shape shape, HeadDescription head) {
        if (shape.isUnknown()) {
            return;
        }
        long[] expected = {-1, head.gridHeight(), head.gridWidth(), head.channels()};
        if (shape.numDimensions() != 4) {
            throw new IllegalArgumentException("head " + h + " logits must be rank 4 [B,H,W,A*(5+C)], got " + shape);
        }
        for (int d = 1; d < 4; d++) {
            long size = shape.get(d);
            if (size != Shape.UNKNOWN_SIZE && size != expected[d]) {
                throw new IllegalArgumentException("head " + h + " logits have shape " + shape + " but the head expects [?, "
                        + expected[1] + ", " + expected[2] + ", " + expected[3] + "]");
            }
        }
    }

    /** A box in centre/size form, each component an operand of broadcast-compatible shape. */
    private record Box<T extends TFloating>(Operand<T> x, Operand<T> y, Operand<T> w, Operand<T> h) {
    }

    /** Short names for the element-wise math, in one dtype. */
    private static final class GraphMath<T extends TFloating> {
        private final Ops tf;
        private final Class<T> type;

        GraphMath(Ops tf, Class<T> type) {
            this.tf = tf;
            this.type = type;
        }

        Operand<T> c(double value) {
            return tf.constant(type, value);
        }

        Operand<T> constant(double[] values, long... shape) {
            return tf.dtypes.cast(tf.constant(Shape.of(shape), DataBuffers.of(values, true, false)), type);
        }

        Operand<T> add(Operand<T> a, Operand<T> b) {
            return tf.math.add(a, b);
        }

        Operand<T> sub(Operand<T> a, Operand<T> b) {
            return tf.math.sub(a, b);
        }

        Operand<T> mul(Operand<T> a, Operand<T> b) {
            return tf.math.mul(a, b);
        }

        Operand<T> div(Operand<T> a, Operand<T> b) {
            return tf.math.div(a, b);
        }

        Operand<T> max(Operand<T> a, Operand<T> b) {
            return tf.math.maximum(a, b);
        }

        Operand<T> min(Operand<T> a, Operand<T> b) {
            return tf.math.minimum(a, b);
        }

        Operand<T> square(Operand<T> a) {
            return tf.math.square(a);
        }

        Operand<T> sum(Operand<T> a) {
            return tf.reduceSum(tf.reshape(a, tf.constant(new int[] {-1})), tf.constant(0));
        }

        Operand<T> addAll(List<Operand<T>> terms) {
            Operand<T> acc = terms.get(0);
            for (int i = 1; i < terms.size(); i++) {
                acc = add(acc, terms.get(i));
            }
            return acc;
        }

        /** [B,H,W,A,1] (or any layout of B*H*W*A values) to [B,H,W,A]. */
        Operand<T> perAnchor(Operand<T> a, HeadDescription head) {
            return tf.reshape(a, tf.constant(new int[] {-1, head.gridHeight(), head.gridWidth(), head.anchors()}));
        }

        /** log(1 + e^x) computed as m + log1p(e^(x - 2m)), m = max(x, 0); see the class comment. */
        Operand<T> softplus(Operand<T> x) {
            Operand<T> m = max(x, c(0));
            return add(m, tf.math.log1p(tf.math.exp(sub(x, mul(c(2), m)))));
        }

        /**
         * Binary cross-entropy of target {@code z} against a logit (softplus(x) - x·z), or, for a new_coords head
         * whose values are probabilities already, against {@code p} clamped to [ε, 1-ε]:
         * -z·log p - (1-z)·log(1-p). Through the convolution's logistic its gradient is p - z either way.
         */
        Operand<T> bce(Operand<T> value, Operand<T> z, boolean probability) {
            if (!probability) {
                return sub(softplus(value), mul(value, z));
            }
            double eps = type == TFloat64.class ? 1e-12 : 1e-7;
            Operand<T> p = min(max(value, c(eps)), c(1 - eps));
            Operand<T> logP = tf.math.log(p);
            Operand<T> logNotP = tf.math.log(sub(c(1), p));
            return tf.math.neg(add(mul(z, logP), mul(sub(c(1), z), logNotP)));
        }

        /** Darknet's box decoding, in input fractions; each component [B,H,W,A,1]. */
        Box<T> decode(HeadDescription head, Operand<T> tx, Operand<T> ty, Operand<T> tw, Operand<T> th,
                      double maxLogScale) {
            int gh = head.gridHeight();
            int gw = head.gridWidth();
            int a = head.anchors();
            double[] columns = new double[gw];
            for (int i = 0; i < gw; i++) {
                columns[i] = i;
            }
            double[] rows = new double[gh];
            for (int j = 0; j < gh; j++) {
                rows[j] = j;
            }
            double[] anchorW = new double[a];
            double[] anchorH = new double[a];
            for (int m = 0; m < a; m++) {
                anchorW[m] = head.anchorWidth(m);
                anchorH[m] = head.anchorHeight(m);
            }
            YoloLayer layer = head.layer();
            double s = layer.scaleXY();
            Operand<T> scale = c(s);
            Operand<T> shift = c((s - 1) / 2);
            boolean newCoords = layer.newCoords();
            // new_coords: the head's values are sigmoid outputs already (logistic convolution), sizes (2v)²
            Operand<T> vx = newCoords ? tx : tf.math.sigmoid(tx);
            Operand<T> vy = newCoords ? ty : tf.math.sigmoid(ty);
            Operand<T> x = div(add(sub(mul(vx, scale), shift), constant(columns, 1, 1, gw, 1, 1)), c(gw));
            Operand<T> y = div(add(sub(mul(vy, scale), shift), constant(rows, 1, gh, 1, 1, 1)), c(gh));
            Operand<T> sw = newCoords ? mul(c(4), square(tw)) : tf.math.exp(clamp(tw, maxLogScale));
            Operand<T> sh = newCoords ? mul(c(4), square(th)) : tf.math.exp(clamp(th, maxLogScale));
            Operand<T> w = mul(sw, constant(anchorW, 1, 1, 1, a, 1));
            Operand<T> h = mul(sh, constant(anchorH, 1, 1, 1, a, 1));
            return new Box<>(x, y, w, h);
        }

        private Operand<T> clamp(Operand<T> v, double limit) {
            return min(max(v, c(-limit)), c(limit));
        }

        private Operand<T> overlap(Operand<T> c1, Operand<T> s1, Operand<T> c2, Operand<T> s2) {
            Operand<T> half = c(0.5);
            Operand<T> lo = max(sub(c1, mul(s1, half)), sub(c2, mul(s2, half)));
            Operand<T> hi = min(add(c1, mul(s1, half)), add(c2, mul(s2, half)));
            return max(sub(hi, lo), c(0));
        }

        private Operand<T> enclosing(Operand<T> c1, Operand<T> s1, Operand<T> c2, Operand<T> s2) {
            Operand<T> half = c(0.5);
            Operand<T> lo = min(sub(c1, mul(s1, half)), sub(c2, mul(s2, half)));
            Operand<T> hi = max(add(c1, mul(s1, half)), add(c2, mul(s2, half)));
            return sub(hi, lo);
        }

        Operand<T> iou(Box<T> p, Box<T> t) {
            Operand<T> inter = mul(overlap(p.x(), p.w(), t.x(), t.w()), overlap(p.y(), p.h(), t.y(), t.h()));
            Operand<T> union = add(sub(add(mul(p.w(), p.h()), mul(t.w(), t.h())), inter), c(EPS));
            return div(inter, union);
        }

        /** 1 - CIoU, element-wise. */
        Operand<T> ciouLoss(Box<T> p, Box<T> t, boolean detachAlpha) {
            Operand<T> iou = iou(p, t);
            Operand<T> cw = enclosing(p.x(), p.w(), t.x(), t.w());
            Operand<T> ch = enclosing(p.y(), p.h(), t.y(), t.h());
            Operand<T> diagonal2 = add(add(square(cw), square(ch)), c(EPS));
            Operand<T> centre2 = add(square(sub(p.x(), t.x())), square(sub(p.y(), t.y())));
            Operand<T> angle = sub(tf.math.atan(div(t.w(), t.h())), tf.math.atan(div(p.w(), p.h())));
            Operand<T> v = mul(c(4 / (Math.PI * Math.PI)), square(angle));
            // EPS added on its own: in float32 1 + 1e-9 == 1, and a perfect box would give 0/0
            Operand<T> alpha = div(v, add(add(sub(c(1), iou), v), c(EPS)));
            if (detachAlpha) {
                alpha = tf.stopGradient(alpha);
            }
            return add(add(sub(c(1), iou), div(centre2, diagonal2)), mul(alpha, v));
        }

        /**
         * [B,H,W,A]: 1 where the (detached) predicted box's best IoU with a real ground truth of its image
         * exceeds ignore_thresh.
         */
        Operand<T> ignoreMask(Box<T> pred, Box<T> truths, Operand<T> valid, HeadDescription head) {
            int cells = head.gridHeight() * head.gridWidth() * head.anchors();
            Box<T> p = new Box<>(flatten(pred.x(), cells), flatten(pred.y(), cells), flatten(pred.w(), cells),
                    flatten(pred.h(), cells));
            Operand<T> iou = iou(p, truths);                                   // [B, cells, M]
            Operand<T> masked = add(mul(iou, valid), sub(valid, c(1)));          // padding -> -1
            Operand<T> best = tf.reduceMax(masked, tf.constant(2));             // [B, cells]
            Operand<T> ignore = tf.dtypes.cast(tf.math.greater(best, c(head.layer().ignoreThresh())), type);
            return tf.stopGradient(perAnchor(ignore, head));
        }

        private Operand<T> flatten(Operand<T> component, int cells) {
            return tf.reshape(tf.stopGradient(component), tf.constant(new int[] {-1, cells, 1}));
        }
    }

    /** The loss operands and the target placeholders to feed for each step. */
    public static final class Components<T extends TFloating> {
        private final Class<T> type;
        private final List<HeadDescription> heads;
        private final Operand<T> box;
        private final Operand<T> obj;
        private final Operand<T> cls;
        private final Operand<T> total;
        private final List<HeadInputs<T>> headInputs;
        private final Placeholder<T> gtBoxes;
        private final Placeholder<T> gtValid;

        Components(Class<T> type, List<HeadDescription> heads, Operand<T> box, Operand<T> obj, Operand<T> cls,
                   Operand<T> total, List<HeadInputs<T>> headInputs, Placeholder<T> gtBoxes, Placeholder<T> gtValid) {
            this.type = type;
            this.heads = List.copyOf(heads);
            this.box = box;
            this.obj = obj;
            this.cls = cls;
            this.total = total;
            this.headInputs = List.copyOf(headInputs);
            this.gtBoxes = gtBoxes;
            this.gtValid = gtValid;
        }

        /** box + obj + cls, a scalar. */
        public Operand<T> total() {
            return total;
        }

        public Operand<T> box() {
            return box;
        }

        public Operand<T> obj() {
            return obj;
        }

        public Operand<T> cls() {
            return cls;
        }

        public List<HeadInputs<T>> headInputs() {
            return headInputs;
        }

        /** [B, M, 4] ground-truth boxes (cx, cy, w, h) for the ignore test. */
        public Placeholder<T> gtBoxes() {
            return gtBoxes;
        }

        /** [B, M], 1 for real boxes, 0 for padding. */
        public Placeholder<T> gtValid() {
            return gtValid;
        }

        /**
         * Feeds every target placeholder from {@code batch}; close the returned feed (its tensors) after
         * {@code runner.run()}.
         */
        public TargetFeed feed(Session.Runner runner, YoloTargets.Batch batch) {
            if (batch.heads().size() != heads.size()) {
                throw new IllegalArgumentException("targets have " + batch.heads().size() + " heads, the loss "
                        + heads.size());
            }
            TargetFeed feed = new TargetFeed();
            try {
                long b = batch.batchSize();
                for (int h = 0; h < heads.size(); h++) {
                    HeadDescription head = heads.get(h);
                    YoloTargets.HeadTargets t = batch.heads().get(h);
                    if (t.gridHeight() != head.gridHeight() || t.gridWidth() != head.gridWidth()
                            || t.anchors() != head.anchors() || t.classes() != head.classes() || t.batch() != b) {
                        throw new IllegalArgumentException("targets of head " + h + " do not match its shape");
                    }
                    HeadInputs<T> in = headInputs.get(h);
                    long gh = head.gridHeight();
                    long gw = head.gridWidth();
                    long a = head.anchors();
                    feed.add(runner, in.objMask(), tensor(t.objMask(), b, gh, gw, a));
                    feed.add(runner, in.boxes(), tensor(t.boxes(), b, gh, gw, a, 4));
                    feed.add(runner, in.classTargets(), tensor(t.classTargets(), b, gh, gw, a, head.classes()));
                    feed.add(runner, in.boxWeight(), tensor(t.boxWeight(), b, gh, gw, a));
                }
                feed.add(runner, gtBoxes, tensor(batch.gtBoxes(), b, batch.maxBoxes(), 4));
                feed.add(runner, gtValid, tensor(batch.gtValid(), b, batch.maxBoxes()));
            } catch (RuntimeException e) {
                feed.close();
                throw e;
            }
            return feed;
        }

        private Tensor tensor(float[] data, long... shape) {
            Shape s = Shape.of(shape);
            if (s.size() != data.length) {
                throw new IllegalArgumentException("target array has " + data.length + " values, shape " + s
                        + " needs " + s.size());
            }
            if (type == TFloat32.class) {
                return TFloat32.tensorOf(s, DataBuffers.of(data, true, false));
            }
            double[] wide = new double[data.length];
            for (int i = 0; i < data.length; i++) {
                wide[i] = data[i];
            }
            return TFloat64.tensorOf(s, DataBuffers.of(wide, true, false));
        }
    }

    /** Tensors fed for one step; close after the run. */
    public static final class TargetFeed implements AutoCloseable {
        private final List<Tensor> tensors = new ArrayList<>();

        private void add(Session.Runner runner, Operand<?> placeholder, Tensor tensor) {
            tensors.add(tensor);
            runner.feed(placeholder, tensor);
        }

        @Override
        public void close() {
            for (Tensor t : tensors) {
                t.close();
            }
            tensors.clear();
        }
    }
}
