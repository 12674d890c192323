package dev.edgeslim.compressor.distill;

import dev.edgeslim.detector.graph.DarknetGraph;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.TrainingContext;
import dev.edgeslim.detector.weights.WeightStore;

/**
 * The unpruned teacher inside a student's training graph: a constant graph (no variables, so no gradient or
 * optimiser can reach it; batch norm in inference mode) on the student's own input batch. Built once per training
 * graph however many distillation terms read it, so attention and output distillation together cost one teacher
 * forward pass per step.
 */
public final class FrozenTeacher {
    private final NetworkSpec spec;
    private final WeightStore weights;
    private TrainingContext builtFor;
    private DarknetGraph graph;

    public FrozenTeacher(NetworkSpec spec, WeightStore weights) {
        this.spec = spec;
        this.weights = weights;
    }

    public NetworkSpec spec() {
        return spec;
    }

    /** The teacher's graph in {@code context}'s training graph (built on first use). */
    public DarknetGraph graph(TrainingContext context) {
        if (graph == null || builtFor != context) {
            graph = DarknetGraph.constant(context.tf(), "teacher", spec, weights, context.input());
            builtFor = context;
        }
        return graph;
    }

    /** The graph built last (null before any term was built). */
    public DarknetGraph graph() {
        return graph;
    }
}
