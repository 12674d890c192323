package dev.edgeslim.compressor.distill;

import dev.edgeslim.detector.graph.DarknetGraph;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.train.LossTerm;
import dev.edgeslim.detector.train.TrainingContext;
import dev.edgeslim.detector.weights.WeightStore;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spatial-attention distillation (stage 3). At each layer pair the attention map A = mean over channels of x²,
 * flattened per image and L2-normalised, is computed for student and teacher on the same batch; the term is
 * Σ w_l · MSE(A_s, A_t) (MSE over the H·W map, averaged over the batch). The teacher is a {@link FrozenTeacher}:
 * a constant graph inside the training graph, frozen by construction, with batch norm in inference mode. Channel
 * counts may differ (the student is pruned); spatial sizes may not.
 */
public final class AttentionDistillation implements LossTerm {
    private static final float EPS = 1e-12f;
    private final FrozenTeacher frozen;
    private final NetworkSpec teacherSpec;
    private final List<LayerPair> pairs;
    private final Map<String, Operand<TFloat32>> perLayer = new LinkedHashMap<>();
    private DarknetGraph teacher;

    public AttentionDistillation(NetworkSpec teacherSpec, WeightStore teacherWeights, List<LayerPair> pairs) {
        this(new FrozenTeacher(teacherSpec, teacherWeights), pairs);
    }

    /** Shares {@code teacher}'s graph with the other distillation terms of the same run. */
    public AttentionDistillation(FrozenTeacher teacher, List<LayerPair> pairs) {
        this.frozen = teacher;
        this.teacherSpec = teacher.spec();
        this.pairs = List.copyOf(pairs);
    }

    @Override
    public String name() {
        return "attention";
    }

    @Override
    public Operand<TFloat32> build(TrainingContext context) {
        Ops tf = context.tf();
        teacher = frozen.graph(context);
        Ops scope = tf.withSubScope("attention");
        Operand<TFloat32> total = scope.constant(0f);
        for (LayerPair p : pairs) {
            Shape s = context.spec().shapeOf(p.studentLayer());
            Shape t = teacherSpec.shapeOf(p.teacherLayer());
            if (s.height() != t.height() || s.width() != t.width()) {
                throw new IllegalArgumentException("layer pair " + p + " differs in spatial size: " + s + " vs " + t);
            }
            Operand<TFloat32> as = attention(scope, context.trainingTower().output(p.studentLayer()), s);
            Operand<TFloat32> at = scope.stopGradient(attention(scope, teacher.output(p.teacherLayer()), t));
            Operand<TFloat32> mse = scope.math.mean(scope.math.squaredDifference(as, at), scope.constant(new int[]{0, 1}));
            Operand<TFloat32> weighted = scope.math.mul(scope.constant((float) p.weight()), mse);
            perLayer.put("attention_l" + p.studentLayer(), weighted);
            total = scope.math.add(total, weighted);
        }
        return total;
    }

    /** mean_c(x²) per position, flattened to [B, H·W] and L2-normalised per image. */
    static Operand<TFloat32> attention(Ops tf, Operand<TFloat32> x, Shape shape) {
        Operand<TFloat32> energy = tf.math.mean(tf.math.mul(x, x), tf.constant(3));
        Operand<TFloat32> flat = tf.reshape(energy, tf.constant(new int[]{-1, shape.height() * shape.width()}));
        Operand<TFloat32> norm = tf.math.sqrt(tf.math.add(
                tf.reduceSum(tf.math.mul(flat, flat), tf.constant(1), org.tensorflow.op.core.ReduceSum.keepDims(true)),
                tf.constant(EPS)));
        return tf.math.div(flat, norm);
    }

    @Override
    public Map<String, Operand<TFloat32>> logged() {
        return perLayer;
    }

    /** The teacher's constant graph (after {@link #build}). */
    public DarknetGraph teacher() {
        return teacher;
    }

    public List<LayerPair> pairs() {
        return pairs;
    }
}
