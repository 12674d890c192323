package dev.edgeslim.detector.graph;

import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.DropoutLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.weights.BatchNormFolding;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightStore;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The forward pass of a {@link NetworkSpec} as a TensorFlow graph: the only code in EdgeSlim that knows TF's
 * layouts (NHWC activations, HWIO kernels). Input: NHWC float32, RGB in [0,1], any batch size.
 *
 * <p>Three kinds of tower:
 * <ul>
 * <li>{@link #constant}: weights baked in as constants with batch norm folded into kernel and bias (inference,
 *     export; {@link ParameterMode#INFERENCE_CONSTANT}).</li>
 * <li>{@link #inference}: reads {@link DarknetVariables}; batch norm from the moving statistics.</li>
 * <li>{@link #training}: reads the same variables; batch norm normalises with the batch's statistics
 *     (FusedBatchNormV3 in training mode, which has a gradient) and {@link #movingAverageUpdates()} are the assign
 *     ops that move the moving statistics toward the batch's (run them with the train op).</li>
 * </ul>
 *
 * <p>Darknet semantics, layer by layer: a convolution pads {@code padding} zeros on every side then convolves
 * VALID with its stride (TF's SAME is used only where it is the same thing: stride 1 and padding (size-1)/2;
 * for stride 2 TF would pad bottom/right instead of top/left); grouped convolutions are split into per-group
 * convolutions and concatenated; route concatenates (slicing channel group {@code groupId} when grouped);
 * shortcut sums then activates; max-pool pads {@code padding/2} before and the rest after with a very negative
 * value (TF SAME when its padding coincides); upsample is nearest neighbour times {@code scale}; [dropout] is an identity except in a
 * training tower (darknet's inverted dropout); [yolo] passes its
 * input through (decoding happens in plain Java). Batch norm: y = γ(x − mean)/sqrt(var + 1e-5) + β as darknet.
 */
public final class DarknetGraph {
    /** Fills max-pool padding: never wins a max against a real activation. */
    private static final float POOL_PAD = -Float.MAX_VALUE;
    /** Graph-level seed of the dropout masks (the layer index is the op-level seed). */
    private static final long DROPOUT_SEED = 25L;

    private final NetworkSpec spec;
    private final ParameterMode mode;
    private final boolean training;
    private final DarknetVariables variables;
    private final Operand<TFloat32> input;
    private final List<Operand<TFloat32>> outputs;
    private final List<Op> movingAverageUpdates;

    private DarknetGraph(NetworkSpec spec, ParameterMode mode, boolean training, DarknetVariables variables,
                         Operand<TFloat32> input, List<Operand<TFloat32>> outputs, List<Op> movingAverageUpdates) {
        this.spec = spec;
        this.mode = mode;
        this.training = training;
        this.variables = variables;
        this.input = input;
        this.outputs = Collections.unmodifiableList(outputs);
        this.movingAverageUpdates = List.copyOf(movingAverageUpdates);
    }

    /** A float input placeholder [batch (any), height, width, channels] of the spec's input size. */
    public static Placeholder<TFloat32> inputPlaceholder(Ops tf, NetworkSpec spec, String name) {
        Shape in = spec.inputShape();
        return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(
                org.tensorflow.ndarray.Shape.of(-1, in.height(), in.width(), in.channels())));
    }

    /**
     * Inference with constant weights, batch norm folded ({@link BatchNormFolding}). Ops are named under the sub-scope {@code name}.
     */
    public static DarknetGraph constant(Ops tf, String name, NetworkSpec spec, WeightStore weights,
                                        Operand<TFloat32> input) {
        weights.checkMatches(spec);
        ConvBlock block = (layerTf, i, c, x) -> {
            ConvWeights w = weights.conv(i);
            int in = spec.inputChannelsOf(i) / c.groups();
            BatchNormFolding.Folded folded = BatchNormFolding.fold(w);
            float[] oihw = folded.oihw();
            float[] bias = folded.bias();
            float[] kernel = KernelLayout.oihwToHwio(oihw, c.filters(), in, c.size());
            Operand<TFloat32> k = FloatTensors.constant(layerTf.withName("kernel"), kernel, c.size(), c.size(), in, c.filters());
            Operand<TFloat32> b = FloatTensors.constant(layerTf.withName("bias"), bias, c.filters());
            return layerTf.nn.biasAdd(convolve(layerTf, c, spec.inputChannelsOf(i), x, k), b);
        };
        return build(tf.withSubScope(name), spec, ParameterMode.INFERENCE_CONSTANT, false, null, input, block, List.of());
    }

    /** Inference from variables: batch norm with the moving statistics. */
    public static DarknetGraph inference(Ops tf, String name, DarknetVariables vars, Operand<TFloat32> input) {
        ConvBlock block = (layerTf, i, c, x) -> {
            Operand<TFloat32> y = convolve(layerTf, c, vars.spec().inputChannelsOf(i), x, vars.get(i, ParamKind.KERNEL).value());
            if (!c.batchNormalize()) {
                return layerTf.nn.biasAdd(y, vars.get(i, ParamKind.BIAS).value());
            }
            // y·scale + shift, not FusedBatchNorm: Grappler's remapper fuses Conv2D + inference FusedBatchNorm +
            // Mish into one kernel that TF 2.18's CPU build does not implement ("Fusion is not implemented:
            // [FusedBatchNorm,Mish]"), which failed evaluation during training of Mish models.
            Operand<TFloat32> scale = layerTf.math.mul(vars.get(i, ParamKind.BN_GAMMA).value(),
                    layerTf.math.rsqrt(layerTf.math.add(vars.get(i, ParamKind.MOVING_VARIANCE).value(),
                            layerTf.constant(BatchNormFolding.EPSILON))));
            Operand<TFloat32> shift = layerTf.math.sub(vars.get(i, ParamKind.BN_BETA).value(),
                    layerTf.math.mul(vars.get(i, ParamKind.MOVING_MEAN).value(), scale));
            return layerTf.math.add(layerTf.math.mul(y, scale), shift);
        };
        return build(tf.withSubScope(name), vars.spec(), ParameterMode.VARIABLES, false, vars, input, block, List.of());
    }

    /**
     * Training tower: batch norm normalises with the batch's mean and (biased) variance; the moving statistics
     * are updated by {@link #movingAverageUpdates()} as moving = momentum·moving + (1 − momentum)·batch, where the
     * batch variance is TF's unbiased estimate (darknet: momentum 0.99).
     */
    public static DarknetGraph training(Ops tf, String name, DarknetVariables vars, Operand<TFloat32> input,
                                        float momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be within [0,1), got " + momentum);
        }
        List<Op> updates = new ArrayList<>();
        ConvBlock block = (layerTf, i, c, x) -> {
            Operand<TFloat32> y = convolve(layerTf, c, vars.spec().inputChannelsOf(i), x, vars.get(i, ParamKind.KERNEL).value());
            if (!c.batchNormalize()) {
                return layerTf.nn.biasAdd(y, vars.get(i, ParamKind.BIAS).value());
            }
            Operand<TFloat32> empty = layerTf.constant(new float[0]);
            FusedBatchNorm<TFloat32, TFloat32> bn = layerTf.nn.fusedBatchNorm(y, vars.get(i, ParamKind.BN_GAMMA).value(),
                    vars.get(i, ParamKind.BN_BETA).value(), empty, empty, FusedBatchNorm.isTraining(true),
                    FusedBatchNorm.epsilon(BatchNormFolding.EPSILON));
            Operand<TFloat32> keep = layerTf.constant(momentum);
            Operand<TFloat32> take = layerTf.constant(1 - momentum);
            updates.add(movingAverage(layerTf.withSubScope("update_mean"), vars.get(i, ParamKind.MOVING_MEAN), bn.batchMean(),
                    keep, take));
            updates.add(movingAverage(layerTf.withSubScope("update_variance"), vars.get(i, ParamKind.MOVING_VARIANCE),
                    bn.batchVariance(), keep, take));
            return bn.y();
        };
        return build(tf.withSubScope(name), vars.spec(), ParameterMode.VARIABLES, true, vars, input, block, updates);
    }

    private static Op movingAverage(Ops tf, ModelVariable moving, Operand<TFloat32> batch, Operand<TFloat32> keep,
                                    Operand<TFloat32> take) {
        Operand<TFloat32> next = tf.math.add(tf.math.mul(moving.value(), keep), tf.math.mul(batch, take));
        return tf.assign(moving.variable(), next);
    }

    /** Convolution + normalisation or bias, before the activation. */
    @FunctionalInterface
    private interface ConvBlock {
        Operand<TFloat32> apply(Ops layerTf, int layer, ConvLayer conv, Operand<TFloat32> x);
    }

    private static DarknetGraph build(Ops tf, NetworkSpec spec, ParameterMode mode, boolean training,
                                      DarknetVariables vars, Operand<TFloat32> input, ConvBlock convBlock,
                                      List<Op> updates) {
        List<Operand<TFloat32>> outs = new ArrayList<>(spec.size());
        for (int i = 0; i < spec.size(); i++) {
            Layer layer = spec.layer(i);
            Ops ltf = tf.withSubScope(DarknetVariables.layerName(i));
            List<Operand<TFloat32>> ins = new ArrayList<>();
            for (int ref : spec.inputsOf(i)) {
                ins.add(ref == NetworkSpec.IMAGE ? input : outs.get(ref));
            }
            Operand<TFloat32> x = ins.get(0);
            Operand<TFloat32> out;
            if (layer instanceof ConvLayer c) {
                out = activate(ltf, c.activation(), convBlock.apply(ltf, i, c, x));
            } else if (layer instanceof RouteLayer r) {
                out = route(ltf, spec, i, r, ins);
            } else if (layer instanceof ShortcutLayer s) {
                Operand<TFloat32> sum = x;
                for (int k = 1; k < ins.size(); k++) {
                    sum = ltf.math.add(sum, ins.get(k));
                }
                out = activate(ltf, s.activation(), sum);
            } else if (layer instanceof MaxPoolLayer m) {
                out = maxPool(ltf, spec.shapeOf(spec.inputsOf(i).get(0)), spec.shapeOf(i), m, x);
            } else if (layer instanceof UpsampleLayer u) {
                Shape o = spec.shapeOf(i);
                out = ltf.image.resizeNearestNeighbor(x, ltf.constant(new int[] {o.height(), o.width()}));
                if (u.scale() != 1.0) {
                    out = ltf.math.mul(out, ltf.constant((float) u.scale()));
                }
            } else if (layer instanceof YoloLayer) {
                out = ltf.identity(x); // its own op, so all layer outputs can be fetched together
            } else if (layer instanceof DropoutLayer d) {
                out = training && d.probability() > 0 ? dropout(ltf, i, d, x) : ltf.identity(x);
            } else {
                throw new IllegalStateException("unsupported layer " + layer.section());
            }
            outs.add(out);
        }
        return new DarknetGraph(spec, mode, training, vars, input, outs, updates);
    }

    /**
     * darknet's training-time dropout: each activation is zeroed with the layer's probability and the rest are
     * scaled by 1 / (1 - p), so inference is a plain identity. Seeded per layer so a run repeats.
     */
    private static Operand<TFloat32> dropout(Ops tf, int layer, DropoutLayer d, Operand<TFloat32> x) {
        Operand<TFloat32> uniform = tf.random.randomUniform(tf.shape(x), TFloat32.class,
                org.tensorflow.op.random.RandomUniform.seed(DROPOUT_SEED),
                org.tensorflow.op.random.RandomUniform.seed2(layer + 1L));
        Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(uniform, tf.constant((float) d.probability())),
                TFloat32.class);
        return tf.math.mul(x, tf.math.mul(keep, tf.constant((float) d.keepScale())));
    }

    /**
     * Convolves NHWC {@code x} ({@code inChannels} channels) with an HWIO kernel the darknet way (symmetric zero
     * padding, then VALID). A depthwise convolution runs as one DepthwiseConv2dNative, any other grouped one as a
     * single grouped Conv2D (TF infers the groups from the kernel's input depth); splitting into one convolution
     * per group made a depthwise model ten times slower than OpenCV.
     */
    static Operand<TFloat32> convolve(Ops tf, ConvLayer c, int inChannels, Operand<TFloat32> x,
                                      Operand<TFloat32> kernel) {
        int p = c.padding();
        List<Long> strides = List.of(1L, (long) c.stride(), (long) c.stride(), 1L);
        String padding;
        if (p == 0) {
            padding = "VALID";
        } else if (c.stride() == 1 && 2 * p == c.size() - 1) {
            padding = "SAME"; // identical to darknet for stride 1 and odd kernels
        } else {
            x = zeroPad(tf, x, p, p);
            padding = "VALID";
        }
        if (c.depthwise(inChannels)) {
            // HWIO [k, k, 1, C] and the depthwise layout [k, k, C, multiplier 1] are the same numbers in the same order
            Operand<TFloat32> filter = tf.reshape(kernel, tf.constant(new long[]{c.size(), c.size(), c.filters(), 1}));
            return tf.nn.depthwiseConv2dNative(x, filter, strides, padding);
        }
        return tf.nn.conv2d(x, kernel, strides, padding);
    }

    static Operand<TFloat32> activate(Ops tf, Activation a, Operand<TFloat32> x) {
        return switch (a) {
            case LINEAR -> x;
            case LEAKY -> tf.nn.leakyRelu(x, LeakyRelu.alpha(Activation.LEAKY_SLOPE));
            // TF's Softplus kernel is the numerically safe form (linear above / exp below a threshold)
            case MISH -> tf.math.mul(x, tf.math.tanh(tf.math.softplus(x)));
            case SWISH -> tf.math.mul(x, tf.math.sigmoid(x));
            case LOGISTIC -> tf.math.sigmoid(x);
            case RELU -> tf.nn.relu(x);
        };
    }

    private static Operand<TFloat32> route(Ops tf, NetworkSpec spec, int i, RouteLayer r, List<Operand<TFloat32>> ins) {
        List<Operand<TFloat32>> parts = new ArrayList<>();
        for (int k = 0; k < ins.size(); k++) {
            Operand<TFloat32> x = ins.get(k);
            if (r.groups() > 1) {
                Shape s = spec.shapeOf(spec.inputsOf(i).get(k));
                int start = r.sliceStart(s);
                x = tf.stridedSlice(x, Indices.all(), Indices.all(), Indices.all(),
                        Indices.slice(start, start + s.channels() / r.groups()));
            }
            parts.add(x);
        }
        return parts.size() == 1 ? tf.identity(parts.get(0)) : tf.concat(parts, tf.constant(3));
    }

    private static Operand<TFloat32> maxPool(Ops tf, Shape in, Shape out, MaxPoolLayer m, Operand<TFloat32> x) {
        if (m.padding() == m.size() - 1 && samePadBefore(in.height(), out.height(), m) == m.padBefore()
                && samePadBefore(in.width(), out.width(), m) == m.padBefore()) {
            return maxPoolV1(tf, x, m, "SAME");
        }
        if (m.padding() > 0) {
            int b = m.padBefore();
            int a = m.padAfter();
            x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {b, a}, {b, a}, {0, 0}}), tf.constant(POOL_PAD));
        }
        return maxPoolV1(tf, x, m, "VALID");
    }

    /**
     * MaxPool with window and strides as attributes. The Ops API builds MaxPoolV2 (window as tensors), which oneDNN
     * does not take over; V1 runs as a oneDNN kernel and has a registered gradient too.
     */
    private static Operand<TFloat32> maxPoolV1(Ops tf, Operand<TFloat32> x, MaxPoolLayer m, String padding) {
        Scope scope = tf.scope();
        return scope.opBuilder("MaxPool", "MaxPool")
                .addInput(x.asOutput())
                .setAttr("ksize", new long[] {1, m.size(), m.size(), 1})
                .setAttr("strides", new long[] {1, m.stride(), m.stride(), 1})
                .setAttr("padding", padding)
                .build()
                .<TFloat32>output(0);
    }

    /**
     * Zero padding with the plain Pad op (not PadV2, which {@code tf.pad} builds): oneDNN folds a Pad into the
     * following convolution, saving a copy of the whole feature map.
     */
    private static Operand<TFloat32> zeroPad(Ops tf, Operand<TFloat32> x, int before, int after) {
        Operand<org.tensorflow.types.TInt32> paddings = tf.constant(new int[][] {{0, 0}, {before, after}, {before, after},
                {0, 0}});
        return tf.scope().opBuilder("Pad", "Pad")
                .addInput(x.asOutput())
                .addInput(paddings.asOutput())
                .build()
                .<TFloat32>output(0);
    }

    /** Padding TF's SAME puts before the data along one axis (it puts the odd cell after). */
    private static int samePadBefore(int in, int out, MaxPoolLayer m) {
        return Math.max((out - 1) * m.stride() + m.size() - in, 0) / 2;
    }

    public NetworkSpec spec() {
        return spec;
    }

    public ParameterMode mode() {
        return mode;
    }

    /** True for a training tower (batch statistics, moving-average updates). */
    public boolean isTraining() {
        return training;
    }

    /** The variables this tower reads; null for {@link ParameterMode#INFERENCE_CONSTANT}. */
    public DarknetVariables variables() {
        return variables;
    }

    public Operand<TFloat32> input() {
        return input;
    }

    /** Output of layer {@code layer} (NHWC; a [yolo] layer's output is its input). */
    public Operand<TFloat32> output(int layer) {
        return outputs.get(layer);
    }

    /** Every layer's output, by layer index. */
    public List<Operand<TFloat32>> outputs() {
        return outputs;
    }

    /**
     * The raw logits feeding each [yolo] layer, in {@code spec.yoloLayers()} order: NHWC [B, H, W, A·(5+C)], channel
     * a·(5+C)+e, no sigmoid.
     */
    public List<Operand<TFloat32>> heads() {
        List<Operand<TFloat32>> heads = new ArrayList<>();
        for (int y : spec.yoloLayers()) {
            heads.add(outputs.get(spec.inputsOf(y).get(0)));
        }
        return heads;
    }

    /** Moving-average assign ops of a training tower (empty otherwise); run them with every training step. */
    public List<Op> movingAverageUpdates() {
        return movingAverageUpdates;
    }
}
