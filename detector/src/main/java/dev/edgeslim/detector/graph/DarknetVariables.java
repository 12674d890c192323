package dev.edgeslim.detector.graph;

import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.DarknetHeader;
import dev.edgeslim.detector.weights.WeightStore;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A network's convolution parameters as TF variables, created from a {@link WeightStore} and convertible back
 * to one. Kernels are HWIO here (converted from darknet's OIHW with {@link KernelLayout}); batch norm keeps
 * γ, β, moving mean and moving variance as separate variables; convolutions without batch norm have a bias.
 *
 * <p>Each variable's initialiser is an assignment from a constant holding the initial store's values, built under
 * {@code tf.withInitScope()}, so {@code session.initialize()} (or the first run of an auto-initialising session)
 * sets them. {@link #load} assigns another store later through placeholders (the graph does not grow), and
 * {@link #fetch} reads the variables back into darknet layout; load followed by fetch is bit-exact.
 *
 * <p>Variables are plain ref variables ({@code VariableV2}, unique per name so they never alias). Every tower
 * reads them through one {@code identity} per variable ({@link ModelVariable#value()}): take gradients with
 * respect to those values.
 */
public final class DarknetVariables {
    private final NetworkSpec spec;
    private final DarknetHeader header;
    private final Map<Integer, Map<ParamKind, ModelVariable>> byLayer;
    private final List<ModelVariable> all;
    private final Map<ModelVariable, Placeholder<TFloat32>> loadFeeds;
    private final List<Assign<TFloat32>> loadAssigns;

    private DarknetVariables(NetworkSpec spec, DarknetHeader header, Map<Integer, Map<ParamKind, ModelVariable>> byLayer,
                             List<ModelVariable> all, Map<ModelVariable, Placeholder<TFloat32>> loadFeeds,
                             List<Assign<TFloat32>> loadAssigns) {
        this.spec = spec;
        this.header = header;
        this.byLayer = byLayer;
        this.all = all;
        this.loadFeeds = loadFeeds;
        this.loadAssigns = loadAssigns;
    }

    /**
     * Creates the variables of every convolution of {@code spec} in {@code tf}'s graph, under the sub-scope
     * {@code name} (e.g. "student"; use different names for several models in one graph), initialised from
     * {@code init}.
     */
    public static DarknetVariables create(Ops tf, String name, NetworkSpec spec, WeightStore init) {
        init.checkMatches(spec);
        Ops root = tf.withSubScope(name);
        Map<Integer, Map<ParamKind, ModelVariable>> byLayer = new TreeMap<>();
        List<ModelVariable> all = new ArrayList<>();
        Map<ModelVariable, Placeholder<TFloat32>> feeds = new java.util.LinkedHashMap<>();
        List<Assign<TFloat32>> assigns = new ArrayList<>();
        for (int i : spec.convLayers()) {
            ConvLayer c = spec.conv(i);
            ConvWeights w = init.conv(i);
            int in = spec.inputChannelsOf(i) / c.groups();
            Ops layer = root.withSubScope(layerName(i));
            Map<ParamKind, ModelVariable> vars = new EnumMap<>(ParamKind.class);
            Shape vector = Shape.of(c.filters());
            vars.put(ParamKind.KERNEL, create(layer, i, ParamKind.KERNEL, Shape.of(c.size(), c.size(), in, c.filters()),
                    KernelLayout.oihwToHwio(w.weights(), c.filters(), in, c.size()), feeds, assigns));
            if (c.batchNormalize()) {
                vars.put(ParamKind.BN_GAMMA, create(layer, i, ParamKind.BN_GAMMA, vector, w.scales(), feeds, assigns));
                vars.put(ParamKind.BN_BETA, create(layer, i, ParamKind.BN_BETA, vector, w.biases(), feeds, assigns));
                vars.put(ParamKind.MOVING_MEAN, create(layer, i, ParamKind.MOVING_MEAN, vector, w.rollingMean(), feeds,
                        assigns));
                vars.put(ParamKind.MOVING_VARIANCE, create(layer, i, ParamKind.MOVING_VARIANCE, vector,
                        w.rollingVariance(), feeds, assigns));
            } else {
                vars.put(ParamKind.BIAS, create(layer, i, ParamKind.BIAS, vector, w.biases(), feeds, assigns));
            }
            byLayer.put(i, Collections.unmodifiableMap(vars));
            all.addAll(vars.values());
        }
        return new DarknetVariables(spec, init.header(), Collections.unmodifiableMap(byLayer), List.copyOf(all),
                Collections.unmodifiableMap(feeds), List.copyOf(assigns));
    }

    static String layerName(int layer) {
        return String.format(Locale.ROOT, "layer%03d", layer);
    }

    private static ModelVariable create(Ops layer, int index, ParamKind kind, Shape shape, float[] initial,
                                        Map<ModelVariable, Placeholder<TFloat32>> feeds,
                                        List<Assign<TFloat32>> assigns) {
        String name = kind.name().toLowerCase(Locale.ROOT);
        Ops init = layer.withInitScope();
        Variable<TFloat32> variable = init.withName(name).variable(shape, TFloat32.class);
        init.withName(name + "_init").assign(variable,
                init.constant(shape, DataBuffers.of(initial, true, false)));
        Operand<TFloat32> value = layer.withName(name + "_read").identity(variable);
        ModelVariable mv = new ModelVariable(index, kind, variable, value);
        Placeholder<TFloat32> feed = layer.withName(name + "_feed").placeholder(TFloat32.class,
                Placeholder.shape(shape));
        feeds.put(mv, feed);
        assigns.add(layer.withName(name + "_load").assign(variable, feed));
        return mv;
    }

    public NetworkSpec spec() {
        return spec;
    }

    /** Every variable (trainable and moving statistics), by layer, in {@link ParamKind} order within a layer. */
    public List<ModelVariable> all() {
        return all;
    }

    /** The variables gradients should update (kernels, biases, BN γ and β), in layer order. */
    public List<ModelVariable> trainable() {
        return all.stream().filter(v -> v.kind().trainable()).toList();
    }

    /** The values ({@link ModelVariable#value()}) of {@link #trainable()}, in the same order: pass to tf.gradients. */
    public List<Operand<TFloat32>> trainableValues() {
        return trainable().stream().map(ModelVariable::value).toList();
    }

    /** BN γ per batch-normalised convolution layer index, ascending (sparsity training regularises these). */
    public Map<Integer, ModelVariable> bnGammas() {
        Map<Integer, ModelVariable> out = new TreeMap<>();
        byLayer.forEach((layer, vars) -> {
            ModelVariable g = vars.get(ParamKind.BN_GAMMA);
            if (g != null) {
                out.put(layer, g);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** The variable of one kind of one convolution; throws when the layer has no such parameter. */
    public ModelVariable get(int layer, ParamKind kind) {
        Map<ParamKind, ModelVariable> vars = byLayer.get(layer);
        ModelVariable v = vars == null ? null : vars.get(kind);
        if (v == null) {
            throw new IllegalArgumentException("layer " + layer + " has no " + kind + " variable");
        }
        return v;
    }

    /** True when layer {@code layer} is a convolution with a parameter of this kind. */
    public boolean has(int layer, ParamKind kind) {
        Map<ParamKind, ModelVariable> vars = byLayer.get(layer);
        return vars != null && vars.containsKey(kind);
    }

    /** Assigns every variable from {@code weights} (which must match the spec) in one session run. */
    public void load(Session session, WeightStore weights) {
        weights.checkMatches(spec);
        List<TFloat32> tensors = new ArrayList<>(all.size());
        try {
            Session.Runner runner = session.runner();
            for (ModelVariable v : all) {
                TFloat32 t = TFloat32.tensorOf(v.variable().shape(),
                        DataBuffers.of(darknetValues(v, weights.conv(v.layer())), true, false));
                tensors.add(t);
                runner.feed(loadFeeds.get(v), t);
            }
            loadAssigns.forEach(runner::addTarget);
            runner.run().close();
        } finally {
            tensors.forEach(Tensor::close);
        }
    }

    /**
     * Reads every variable into a new store in darknet layout, with the header of the store the variables were
     * created from (callers update {@code seen} with {@link WeightStore#withHeader}).
     */
    public WeightStore fetch(Session session) {
        Session.Runner runner = session.runner();
        for (ModelVariable v : all) {
            runner.fetch(v.value());
        }
        Map<ModelVariable, float[]> values = new java.util.HashMap<>();
        try (Result result = runner.run()) {
            for (int k = 0; k < all.size(); k++) {
                TFloat32 t = (TFloat32) result.get(k);
                float[] a = new float[Math.toIntExact(t.size())];
                t.asRawTensor().data().asFloats().read(a);
                values.put(all.get(k), a);
            }
        }
        TreeMap<Integer, ConvWeights> convs = new TreeMap<>();
        for (int i : spec.convLayers()) {
            ConvLayer c = spec.conv(i);
            int in = spec.inputChannelsOf(i) / c.groups();
            float[] kernel = KernelLayout.hwioToOihw(values.get(get(i, ParamKind.KERNEL)), c.filters(), in, c.size());
            if (c.batchNormalize()) {
                convs.put(i, new ConvWeights(values.get(get(i, ParamKind.BN_BETA)), values.get(get(i, ParamKind.BN_GAMMA)),
                        values.get(get(i, ParamKind.MOVING_MEAN)), values.get(get(i, ParamKind.MOVING_VARIANCE)),
                        kernel));
            } else {
                convs.put(i, new ConvWeights(values.get(get(i, ParamKind.BIAS)), null, null, null, kernel));
            }
        }
        return new WeightStore(header, convs);
    }

    /** The values of variable {@code v} taken from darknet-layout weights, in TF layout. */
    private float[] darknetValues(ModelVariable v, ConvWeights w) {
        return switch (v.kind()) {
            case KERNEL -> {
                ConvLayer c = spec.conv(v.layer());
                yield KernelLayout.oihwToHwio(w.weights(), c.filters(), spec.inputChannelsOf(v.layer()) / c.groups(),
                        c.size());
            }
            case BIAS, BN_BETA -> w.biases();
            case BN_GAMMA -> w.scales();
            case MOVING_MEAN -> w.rollingMean();
            case MOVING_VARIANCE -> w.rollingVariance();
        };
    }
}
