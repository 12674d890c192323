package dev.edgeslim.compressor.sparsity;

import dev.edgeslim.detector.graph.ModelVariable;
import dev.edgeslim.detector.graph.ParamKind;
import dev.edgeslim.detector.train.GradientModifier;
import dev.edgeslim.detector.train.StepFeeds;
import dev.edgeslim.detector.train.TrainingContext;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sparse training's L1 penalty on the BN γ of prunable convolutions, applied to the gradient:
 * γ.grad += s·factor·sign(γ), where factor is 1, or {@code relax} for channels at or above the per-batch global
 * percentile of |γ| while a dynamic schedule relaxes. The percentile is computed in the graph from the same γ
 * values the step uses (top-k over all prunable |γ|), so the step is a pure function of the weights and the batch
 * and a resumed run repeats an uninterrupted one exactly. Each layer's strength may be scaled by a weight
 * ({@link SparsityWeighting}); layers without one get 1.
 */
public final class GammaL1Regularizer implements GradientModifier {
    private final Set<Integer> prunableLayers;
    private final SparsitySchedule schedule;
    private final Map<Integer, Double> layerWeights;
    private Placeholder<TFloat32> strength;
    private Placeholder<TFloat32> relaxOn;
    private Operand<TFloat32> threshold;
    private double lastStrength = Double.NaN;

    /** @param prunableLayers convolution indices whose γ is regularised (e.g. from the channel graph) */
    public GammaL1Regularizer(Set<Integer> prunableLayers, SparsitySchedule schedule) {
        this(prunableLayers, schedule, Map.of());
    }

    /** @param layerWeights per-layer multipliers of the strength (a missing layer: 1) */
    public GammaL1Regularizer(Set<Integer> prunableLayers, SparsitySchedule schedule,
                              Map<Integer, Double> layerWeights) {
        this.prunableLayers = Set.copyOf(prunableLayers);
        this.schedule = schedule;
        this.layerWeights = Map.copyOf(layerWeights);
    }

    @Override
    public String name() {
        return "l1_strength";
    }

    @Override
    public Operand<TFloat32> modify(TrainingContext context, ModelVariable variable, Operand<TFloat32> gradient) {
        if (variable.kind() != ParamKind.BN_GAMMA || !prunableLayers.contains(variable.layer())) {
            return gradient;
        }
        Ops tf = context.tf();
        if (strength == null) {
            build(context);
        }
        Operand<TFloat32> gamma = variable.value();
        Operand<TFloat32> one = tf.constant(1f);
        // factor = 1 − relaxOn·(1 − relax)·[|γ| ≥ threshold]
        Operand<TFloat32> strong = tf.dtypes.cast(tf.math.greaterEqual(tf.math.abs(gamma), threshold), TFloat32.class);
        Operand<TFloat32> factor = tf.math.sub(one, tf.math.mul(tf.math.mul(relaxOn,
                tf.constant((float) (1 - schedule.relax()))), strong));
        Operand<TFloat32> penalty = tf.math.mul(tf.math.mul(strength, factor), tf.math.sign(gamma));
        double weight = layerWeights.getOrDefault(variable.layer(), 1.0);
        if (weight != 1.0) {
            penalty = tf.math.mul(penalty, tf.constant((float) weight));
        }
        return tf.math.add(gradient, tf.stopGradient(penalty));
    }

    private void build(TrainingContext context) {
        Ops tf = context.tf().withSubScope("sparsity");
        strength = tf.withName("strength").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        relaxOn = tf.withName("relax_on").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        List<Operand<TFloat32>> all = new ArrayList<>();
        long count = 0;
        for (var e : context.variables().bnGammas().entrySet()) {
            if (prunableLayers.contains(e.getKey())) {
                all.add(tf.reshape(e.getValue().value(), tf.constant(new int[]{-1})));
                count += e.getValue().size();
            }
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no prunable batch-normalised layer to regularise");
        }
        Operand<TFloat32> magnitudes = tf.math.abs(tf.concat(all, tf.constant(0)));
        // the top (100 − p)% of |γ|: the smallest of them is the p-th percentile
        int k = (int) Math.max(1, Math.ceil(count * (100 - schedule.percentile()) / 100.0));
        Operand<TInt32> kOp = tf.constant(k);
        var top = tf.nn.topK(tf.stopGradient(magnitudes), kOp, new org.tensorflow.op.nn.TopK.Options[0]);
        threshold = tf.reduceMin(top.values(), tf.constant(0));
    }

    @Override
    public void feed(StepFeeds feeds, long iteration, long total) {
        lastStrength = schedule.strengthAt(iteration, total);
        feeds.feedScalar(strength, (float) lastStrength);
        feeds.feedScalar(relaxOn, schedule.relaxing(iteration, total) ? 1f : 0f);
    }

    @Override
    public double logValue() {
        return lastStrength;
    }
}
