package dev.edgeslim.compressor.distill;

import dev.edgeslim.detector.graph.DarknetGraph;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.train.LossTerm;
import dev.edgeslim.detector.train.TrainingContext;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Output distillation: the student's objectness and class outputs are pulled toward the teacher's, softened by a
 * temperature T. Every YOLO output is an independent sigmoid, so each is a Bernoulli distribution and the term is
 * the Bernoulli KL divergence KL(σ(t/T) ‖ σ(s/T)) between teacher logit t and student logit s, scaled by T² (so
 * its gradient keeps its size as T changes, as in Hinton et al.). Objectness is distilled at every anchor of every
 * cell; classes are weighted by the teacher's objectness σ(t_obj), so the student copies class scores where the
 * teacher sees an object, not the noise elsewhere. Summed over anchors, divided by the batch size (like the
 * detection loss), times {@code weight}. Boxes are left to the detection loss and the ground truth.
 * <p>
 * A {@code new_coords=1} head (Scaled-YOLOv4, YOLOv7) outputs probabilities already (its convolution is logistic),
 * so its values are turned back into logits, log(p / (1 − p)) with p kept inside [1e-6, 1 − 1e-6], before the same
 * term: softening by T needs logits, and a probability read as a logit would be squashed a second time.
 * <p>
 * KL rather than soft-target BCE: the gradient is the same, but KL is 0 when the student matches the teacher, so
 * the logged value says how far apart they are.
 */
public final class OutputDistillation implements LossTerm {
    private final FrozenTeacher teacher;
    private final double weight;
    private final double temperature;
    private final Map<String, Operand<TFloat32>> parts = new LinkedHashMap<>();
    /** How close to 0 or 1 a new_coords probability may come before it is turned into a logit (±13.8). */
    private static final float PROBABILITY_CLIP = 1e-6f;

    public OutputDistillation(FrozenTeacher teacher, double weight, double temperature) {
        if (!(temperature > 0) || !(weight >= 0)) {
            throw new IllegalArgumentException("temperature must be > 0 and weight >= 0, got " + temperature + ", "
                    + weight);
        }
        this.teacher = teacher;
        this.weight = weight;
        this.temperature = temperature;
    }

    @Override
    public String name() {
        return "output_distill";
    }

    @Override
    public Operand<TFloat32> build(TrainingContext context) {
        NetworkSpec student = context.spec();
        DarknetGraph t = teacher.graph(context);
        List<Integer> heads = student.yoloLayers();
        if (!heads.equals(teacher.spec().yoloLayers())) {
            throw new IllegalArgumentException("student and teacher heads differ: " + heads + " vs "
                    + teacher.spec().yoloLayers());
        }
        Ops tf = context.tf().withSubScope("output_distill");
        List<Operand<TFloat32>> studentLogits = context.trainingTower().heads();
        List<Operand<TFloat32>> teacherLogits = t.heads();
        Operand<TFloat32> obj = tf.constant(0f);
        Operand<TFloat32> cls = tf.constant(0f);
        for (int h = 0; h < heads.size(); h++) {
            YoloLayer yolo = (YoloLayer) student.layer(heads.get(h));
            Shape s = student.shapeOf(student.inputsOf(heads.get(h)).get(0));
            Shape ts = teacher.spec().shapeOf(teacher.spec().inputsOf(heads.get(h)).get(0));
            if (!s.equals(ts)) {
                throw new IllegalArgumentException("head " + h + " differs: student " + s + ", teacher " + ts);
            }
            int a = yolo.mask().size();
            int c = yolo.classes();
            Ops hs = tf.withSubScope("head" + h);
            List<Operand<TFloat32>> se = split(hs, logits(hs, studentLogits.get(h), yolo), s, a, c);
            List<Operand<TFloat32>> te = split(hs, logits(hs, teacherLogits.get(h), yolo), s, a, c);
            Operand<TFloat32> tObj = hs.stopGradient(te.get(1));
            Operand<TFloat32> tCls = hs.stopGradient(te.get(2));
            obj = hs.math.add(obj, hs.reduceSum(bernoulliKl(hs, tObj, se.get(1)), hs.constant(new int[]{0, 1, 2, 3, 4})));
            // [B,H,W,A,1] objectness probability broadcast over the C classes
            Operand<TFloat32> present = hs.math.sigmoid(tObj);
            Operand<TFloat32> clsKl = hs.math.mul(present, bernoulliKl(hs, tCls, se.get(2)));
            cls = hs.math.add(cls, hs.reduceSum(clsKl, hs.constant(new int[]{0, 1, 2, 3, 4})));
        }
        Operand<TFloat32> batch = tf.dtypes.cast(tf.gather(tf.shape(context.input()), tf.constant(0), tf.constant(0)),
                TFloat32.class);
        float scale = (float) (weight * temperature * temperature);
        Operand<TFloat32> objTerm = tf.math.div(tf.math.mul(tf.constant(scale), obj), batch);
        Operand<TFloat32> clsTerm = tf.math.div(tf.math.mul(tf.constant(scale), cls), batch);
        parts.put("output_distill_obj", objTerm);
        parts.put("output_distill_cls", clsTerm);
        return tf.math.add(objTerm, clsTerm);
    }

    /** A head's values as logits: unchanged for a classic head, log(p / (1 − p)) for a new_coords head. */
    private static Operand<TFloat32> logits(Ops tf, Operand<TFloat32> head, YoloLayer yolo) {
        if (!yolo.newCoords()) {
            return head;
        }
        Operand<TFloat32> p = tf.clipByValue(head, tf.constant(PROBABILITY_CLIP), tf.constant(1 - PROBABILITY_CLIP));
        return tf.math.sub(tf.math.log(p), tf.math.log1p(tf.math.neg(p)));
    }

    /** [B,H,W,A·(5+C)] logits → box [..,4], objectness [..,1], classes [..,C], each [B,H,W,A,·]. */
    private static List<Operand<TFloat32>> split(Ops tf, Operand<TFloat32> logits, Shape s, int anchors, int classes) {
        Operand<TFloat32> raw = tf.reshape(logits, tf.constant(new int[]{-1, s.height(), s.width(), anchors, 5 + classes}));
        return new ArrayList<>(tf.splitV(raw, tf.constant(new int[]{4, 1, classes}), tf.constant(-1), 3L).output());
    }

    /**
     * KL(σ(t/T) ‖ σ(s/T)) per element: BCE(s/T, p) − BCE(t/T, p) with p = σ(t/T), BCE(x, p) = softplus(x) − p·x;
     * softplus(x) = m + log1p(exp(x − 2m)), m = max(x, 0), stable for large |x|.
     */
    private Operand<TFloat32> bernoulliKl(Ops tf, Operand<TFloat32> teacherLogit, Operand<TFloat32> studentLogit) {
        Operand<TFloat32> invT = tf.constant((float) (1 / temperature));
        Operand<TFloat32> t = tf.math.mul(teacherLogit, invT);
        Operand<TFloat32> s = tf.math.mul(studentLogit, invT);
        Operand<TFloat32> p = tf.math.sigmoid(t);
        Operand<TFloat32> studentBce = tf.math.sub(softplus(tf, s), tf.math.mul(p, s));
        Operand<TFloat32> teacherBce = tf.math.sub(softplus(tf, t), tf.math.mul(p, t));
        return tf.math.sub(studentBce, teacherBce);
    }

    private static Operand<TFloat32> softplus(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> m = tf.math.maximum(x, tf.constant(0f));
        return tf.math.add(m, tf.math.log1p(tf.math.exp(tf.math.sub(x, tf.math.mul(tf.constant(2f), m)))));
    }

    @Override
    public Map<String, Operand<TFloat32>> logged() {
        return parts;
    }

    public double weight() {
        return weight;
    }

    public double temperature() {
        return temperature;
    }
}
