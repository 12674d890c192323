package dev.edgeslim.detector.train;

import dev.edgeslim.detector.data.Batch;
import dev.edgeslim.detector.data.BatchLoader;
import dev.edgeslim.detector.graph.DarknetGraph;
import dev.edgeslim.detector.graph.DarknetVariables;
import dev.edgeslim.detector.graph.ModelVariable;
import dev.edgeslim.detector.graph.ParamKind;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.postprocess.RawModel;
import dev.edgeslim.detector.weights.WeightStore;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * EdgeSlim's one training loop. One TF graph holds the student's variables, a training tower (BN in training
 * mode, moving averages updated with each step) and an inference tower sharing the variables (for evaluation
 * without copying weights), the sum of the {@link LossTerm}s, gradients over the student's trainable variables
 * only (anything else in the graph, e.g. a frozen teacher, is never updated), {@link GradientModifier}s, and SGD
 * with momentum and weight decay. Every stage (baseline, sparse training, distillation) is this loop with other
 * terms, modifiers and listeners.
 */
public final class Trainer implements AutoCloseable {
    private final NetworkSpec spec;
    private final TrainingOptions options;
    private final Graph graph;
    private final Session session;
    private final Ops tf;
    private final Placeholder<TFloat32> input;
    private final DarknetVariables variables;
    private final DarknetGraph trainingTower;
    private final DarknetGraph inferenceTower;
    private final List<LossTerm> terms;
    private final List<Operand<TFloat32>> termValues = new ArrayList<>();
    private final Map<String, Operand<TFloat32>> logged = new LinkedHashMap<>();
    private final Operand<TFloat32> total;
    private final List<GradientModifier> modifiers;
    private final Placeholder<TFloat32> learningRate;
    private final Map<String, Variable<TFloat32>> slots = new LinkedHashMap<>();
    private final Map<String, Placeholder<TFloat32>> slotFeeds = new LinkedHashMap<>();
    private final List<Op> slotAssigns = new ArrayList<>();
    private final Op trainOp;

    public Trainer(NetworkSpec spec, WeightStore initial, List<LossTerm> terms, List<GradientModifier> modifiers,
                   TrainingOptions options) {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("a training run needs at least one loss term");
        }
        this.spec = spec;
        this.options = options;
        this.terms = List.copyOf(terms);
        this.modifiers = List.copyOf(modifiers);
        this.graph = new Graph();
        this.tf = Ops.create(graph);
        this.input = DarknetGraph.inputPlaceholder(tf, spec, "images");
        this.variables = DarknetVariables.create(tf, "student", spec, initial);
        this.trainingTower = DarknetGraph.training(tf, "student_train", variables, input, options.bnMomentum());
        this.inferenceTower = DarknetGraph.inference(tf, "student_eval", variables, input);
        TrainingContext context = new TrainingContext(tf, spec, variables, trainingTower, input);

        Operand<TFloat32> sum = null;
        for (LossTerm term : this.terms) {
            Operand<TFloat32> value = term.build(context);
            termValues.add(value);
            logged.putAll(term.logged());
            sum = sum == null ? value : tf.math.add(sum, value);
        }
        this.total = tf.withName("total_loss").identity(sum);

        List<ModelVariable> trainable = variables.trainable();
        // Every variable gets a zero-weighted path to the gradient target, so a set of terms that does not reach
        // some layer (e.g. attention distillation alone never reaches the heads) yields zero gradients there
        // instead of TF refusing to differentiate.
        Operand<TFloat32> reach = tf.constant(0f);
        for (Operand<TFloat32> value : variables.trainableValues()) {
            reach = tf.math.add(reach, tf.reduceSum(value, tf.constant(
                    java.util.stream.IntStream.range(0, value.shape().numDimensions()).toArray())));
        }
        Operand<TFloat32> target = tf.math.add(total, tf.math.mul(tf.constant(0f), reach));
        var gradients = tf.gradients(target, variables.trainableValues());
        this.learningRate = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        Operand<TFloat32> momentum = tf.constant((float) options.momentum());
        Operand<TFloat32> decay = tf.constant((float) options.weightDecay());
        // Gradients first, all of them, before any variable changes: variables are ref variables updated in place,
        // so an update may only start once nothing in the step still reads the old values.
        List<Operand<TFloat32>> finalGradients = new ArrayList<>(trainable.size());
        for (int k = 0; k < trainable.size(); k++) {
            ModelVariable v = trainable.get(k);
            Operand<TFloat32> g = gradients.dy(k);
            if (v.kind() == ParamKind.KERNEL && options.weightDecay() > 0) {
                g = tf.math.add(g, tf.math.mul(decay, v.value()));
            }
            for (GradientModifier m : this.modifiers) {
                g = m.modify(context, v, g);
            }
            finalGradients.add(g);
        }
        List<Op> readsDone = new ArrayList<>();
        Ops barrier = tf.withSubScope("reads_done");
        for (Operand<TFloat32> g : finalGradients) {
            readsDone.add(barrier.identity(g));
        }
        readsDone.add(barrier.identity(total));
        termValues.forEach(t -> readsDone.add(barrier.identity(t)));
        logged.values().forEach(t -> readsDone.add(barrier.identity(t)));
        for (GradientModifier m : this.modifiers) {
            m.fetches().forEach(t -> readsDone.add(barrier.identity(t)));
        }
        Ops afterReads = tf.withControlDependencies(readsDone);
        List<Op> updates = new ArrayList<>();
        // moving statistics are read only by the inference tower, but are updated after the reads all the same
        for (Op update : trainingTower.movingAverageUpdates()) {
            updates.add(update);
        }
        for (int k = 0; k < trainable.size(); k++) {
            ModelVariable v = trainable.get(k);
            String slotName = "layer" + v.layer() + "/" + v.kind().name().toLowerCase();
            Ops slotTf = tf.withSubScope("optimizer");
            // zeros of the variable's static shape: an initialiser must not read another variable (init order)
            Ops init = slotTf.withInitScope();
            Variable<TFloat32> slot = init.variable(init.zeros(init.constant(v.variable().shape().asArray()),
                    TFloat32.class));
            slots.put(slotName, slot);
            Placeholder<TFloat32> feed = slotTf.placeholder(TFloat32.class, Placeholder.shape(v.variable().shape()));
            slotFeeds.put(slotName, feed);
            slotAssigns.add(slotTf.assign(slot, feed));
            updates.add(afterReads.train.applyMomentum(v.variable(), slot, learningRate, finalGradients.get(k), momentum));
        }
        this.trainOp = tf.withControlDependencies(updates).withName("train_step").noOp();
        // per-session thread pools: otherwise TF sizes one global pool from the first session in the process
        ConfigProto config = dev.edgeslim.detector.graph.SessionConfigs.threads(options.threads(),
                Math.min(2, options.threads()));
        this.session = new Session(graph, config);
        session.initialize();
    }

    public NetworkSpec spec() {
        return spec;
    }

    public Session session() {
        return session;
    }

    public Ops ops() {
        return tf;
    }

    public Placeholder<TFloat32> input() {
        return input;
    }

    /** Inference tower over the student's current variables (BN from moving statistics). */
    public DarknetGraph inferenceTower() {
        return inferenceTower;
    }

    /** Runs the inference tower (current weights, BN from moving statistics) on a batch. */
    public RawModel asInference() {
        return (nhwc, batch) -> {
            Session.Runner runner = session.runner();
            try (StepFeeds feeds = new StepFeeds(runner)) {
                feeds.feed(input, nhwc, batch, spec.net().height(), spec.net().width(), spec.net().channels());
                List<Operand<TFloat32>> heads = inferenceTower.heads();
                heads.forEach(runner::fetch);
                float[][] out = new float[heads.size()][];
                try (Result result = runner.run()) {
                    for (int h = 0; h < heads.size(); h++) {
                        out[h] = toArray((TFloat32) result.get(h));
                    }
                }
                return out;
            }
        };
    }

    public DarknetVariables variables() {
        return variables;
    }

    /** The student's current weights in darknet layout. */
    public WeightStore weights() {
        return variables.fetch(session);
    }

    /**
     * Trains for {@code options.epochs()} epochs from the start, or from the checkpoint in {@code checkpoints}
     * when {@code resume} is set and one exists. Checkpoints at every epoch end and every
     * {@code checkpointEvery} iterations. Returns the final weights.
     */
    public WeightStore train(BatchSource source, CheckpointStore checkpoints, boolean resume,
                             List<TrainingListener> listeners) throws IOException {
        int perEpoch = source.batchesPerEpoch();
        long totalIterations = (long) perEpoch * options.epochs();
        long iteration = 0;
        int epoch = 0;
        int batchInEpoch = 0;
        long seen = 0;
        if (resume && checkpoints != null && checkpoints.exists()) {
            CheckpointStore.Loaded loaded = checkpoints.load(spec);
            variables.load(session, loaded.weights());
            loadSlots(loaded.optimizerSlots());
            iteration = loaded.state().iteration();
            epoch = loaded.state().epoch();
            batchInEpoch = loaded.state().batchInEpoch();
            seen = loaded.weights().header().seen();
        }
        for (TrainingListener l : listeners) {
            l.onStart(iteration, totalIterations);
        }
        try (BatchLoader loader = source.open(epoch, batchInEpoch)) {
        while (iteration < totalIterations) {
            Batch batch = loader.next();
            long started = System.nanoTime();
            double lr = options.schedule().rate(iteration, totalIterations);
            Map<String, Double> losses = step(batch, lr, iteration, totalIterations);
            double seconds = (System.nanoTime() - started) / 1e9;
            seen += batch.size();
            StepMetrics metrics = new StepMetrics(iteration, epoch, lr, losses, batch.size() / seconds);
            for (TrainingListener l : listeners) {
                l.onStep(metrics);
            }
            iteration++;
            batchInEpoch++;
            boolean epochEnd = batchInEpoch == perEpoch;
            int finishedEpoch = epoch;
            if (epochEnd) {
                epoch++;
                batchInEpoch = 0;
            }
            boolean periodic = options.checkpointEvery() > 0 && iteration % options.checkpointEvery() == 0;
            boolean checkpoint = checkpoints != null && (epochEnd || periodic || iteration == totalIterations);
            if (epochEnd) {
                // The epoch's checkpoint comes after its listeners (metrics, evaluation, reports), so a run killed
                // at any moment resumes from a state whose logs are complete and repeats the uninterrupted run's
                // files exactly; `finally` keeps a failing evaluation from costing the epoch's training.
                // Every listener runs even when an earlier one fails (the metrics log still flushes the epoch);
                // the first failure is rethrown once all have run.
                try {
                    Map<String, Double> results = new TreeMap<>();
                    RuntimeException failure = null;
                    for (TrainingListener l : listeners) {
                        try {
                            l.onEpochEnd(finishedEpoch, iteration, results);
                        } catch (RuntimeException e) {
                            if (failure == null) {
                                failure = e;
                            } else {
                                failure.addSuppressed(e);
                            }
                        }
                    }
                    if (failure != null) {
                        throw failure;
                    }
                } finally {
                    if (checkpoint) {
                        saveCheckpoint(checkpoints, iteration, epoch, batchInEpoch, seen);
                    }
                }
            } else if (checkpoint) {
                saveCheckpoint(checkpoints, iteration, epoch, batchInEpoch, seen);
            }
        }
        }
        for (TrainingListener l : listeners) {
            l.onFinish(iteration);
        }
        return weights().withHeader(variables.fetch(session).header().withSeen(seen));
    }

    private Map<String, Double> step(Batch batch, double lr, long iteration, long totalIterations) {
        Session.Runner runner = session.runner();
        try (StepFeeds feeds = new StepFeeds(runner)) {
            Shape in = Shape.of(batch.size(), spec.net().height(), spec.net().width(), spec.net().channels());
            feeds.feed(input, batch.images(), in.asArray());
            feeds.feedScalar(learningRate, (float) lr);
            for (LossTerm t : terms) {
                t.feed(feeds, batch);
            }
            for (GradientModifier m : modifiers) {
                m.feed(feeds, iteration, totalIterations);
            }
            runner.fetch(total);
            termValues.forEach(runner::fetch);
            logged.values().forEach(runner::fetch);
            List<Operand<TFloat32>> modifierFetches = new ArrayList<>();
            for (GradientModifier m : modifiers) {
                modifierFetches.addAll(m.fetches());
            }
            modifierFetches.forEach(runner::fetch);
            runner.addTarget(trainOp);
            Map<String, Double> losses = new LinkedHashMap<>();
            try (Result result = runner.run()) {
                double totalValue = ((TFloat32) result.get(0)).getFloat();
                if (!Double.isFinite(totalValue)) {
                    throw new TrainingDivergedException("training diverged at iteration " + iteration
                            + " (loss " + totalValue + "); lower the learning rate or lengthen the warm-up");
                }
                losses.put("total", totalValue);
                for (int k = 0; k < terms.size(); k++) {
                    losses.put(terms.get(k).name(), (double) ((TFloat32) result.get(1 + k)).getFloat());
                }
                int offset = 1 + terms.size();
                for (String name : logged.keySet()) {
                    losses.put(name, (double) ((TFloat32) result.get(offset++)).getFloat());
                }
                for (GradientModifier m : modifiers) {
                    List<float[]> values = new ArrayList<>();
                    for (int k = 0; k < m.fetches().size(); k++) {
                        values.add(toArray((TFloat32) result.get(offset++)));
                    }
                    m.observe(values, iteration);
                    double logged = m.logValue();
                    if (!Double.isNaN(logged)) {
                        losses.put(m.name(), logged);
                    }
                }
            }
            return losses;
        }
    }

    private void saveCheckpoint(CheckpointStore checkpoints, long iteration, int epoch, int batchInEpoch, long seen)
            throws IOException {
        WeightStore w = weights();
        w = w.withHeader(w.header().withSeen(seen));
        checkpoints.save(new CheckpointStore.State(iteration, epoch, batchInEpoch, options.seed(), Map.of()), spec, w,
                fetchSlots());
    }

    private Map<String, float[]> fetchSlots() {
        Session.Runner runner = session.runner();
        slots.values().forEach(runner::fetch);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (Result result = runner.run()) {
            int k = 0;
            for (String name : slots.keySet()) {
                out.put(name, toArray((TFloat32) result.get(k++)));
            }
        }
        return out;
    }

    private void loadSlots(Map<String, float[]> values) {
        if (!values.keySet().equals(slots.keySet())) {
            throw new IllegalStateException("checkpoint optimizer state does not match this model's variables");
        }
        Session.Runner runner = session.runner();
        List<Tensor> owned = new ArrayList<>();
        try {
            for (Map.Entry<String, Variable<TFloat32>> e : slots.entrySet()) {
                TFloat32 t = TFloat32.tensorOf(e.getValue().shape(), DataBuffers.of(values.get(e.getKey()), true, false));
                owned.add(t);
                runner.feed(slotFeeds.get(e.getKey()), t);
            }
            slotAssigns.forEach(runner::addTarget);
            runner.run().close();
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    static float[] toArray(TFloat32 t) {
        float[] a = new float[Math.toIntExact(t.size())];
        t.asRawTensor().data().asFloats().read(a);
        return a;
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }

}
