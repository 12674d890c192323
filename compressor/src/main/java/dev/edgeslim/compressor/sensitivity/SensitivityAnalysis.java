package dev.edgeslim.compressor.sensitivity;

import dev.edgeslim.compressor.bench.LatencyBenchmark;
import dev.edgeslim.compressor.bench.LatencyStats;
import dev.edgeslim.compressor.bench.TimedModel;
import dev.edgeslim.compressor.blocks.BlockSurgeon;
import dev.edgeslim.compressor.blocks.ResidualBlock;
import dev.edgeslim.compressor.blocks.ResidualBlocks;
import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.prune.AutoGroups;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.prune.GroupPlanner;
import dev.edgeslim.compressor.prune.ModelSurgeon;
import dev.edgeslim.compressor.prune.PlanRule;
import dev.edgeslim.compressor.prune.PruneGroup;
import dev.edgeslim.compressor.prune.PrunedNetwork;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.eval.EvalResult;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.inference.DatasetEvaluation;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How much each part of a network can be pruned: every automatic pruning group ({@link AutoGroups}) pruned alone
 * at each ratio (the lowest-|γ| fraction of its channels, the other groups untouched, as {@code prune --ratio}
 * would prune it), and every removable residual block ({@link ResidualBlocks}) removed alone; each variant measured
 * for mAP@0.5 on a dataset and TF Java latency (batch 1, median, timed interleaved with the unpruned model).
 * Pruning goes through the same planner and surgery as {@code prune}, so a point is exactly the model {@code prune}
 * writes for that group and ratio.
 */
public final class SensitivityAnalysis {
    /** What is pruned: the whole model unpruned, one group at one ratio, or one block. */
    public enum Kind { BASELINE, GROUP, BLOCK }

    /**
     * @param ratios      fractions of a group's prunable channels to remove, each in [0,1)
     * @param only        group names and block names ({@code block-<shortcut layer>}) to analyse; empty: all
     * @param latencyRuns timed forward passes per variant (after two warm-up passes)
     */
    public record Settings(List<Double> ratios, int batch, int threads, int latencyRuns, Set<String> only) {
        public Settings {
            ratios = List.copyOf(ratios);
            only = Set.copyOf(only);
            for (double r : ratios) {
                if (!(r >= 0 && r < 1)) {
                    throw new IllegalArgumentException("ratios must be within [0,1), got " + r);
                }
            }
            if (ratios.isEmpty() || batch < 1 || threads < 1 || latencyRuns < 1) {
                throw new IllegalArgumentException("need ratios, and batch, threads and latency runs >= 1");
            }
        }
    }

    /**
     * One measured variant; {@code ratio} is 0 for the baseline and 1 for a removed block. {@code latencyRatio} is
     * its median time over the unpruned model's, both timed interleaved in the same run (a shared machine's load
     * shifts both alike, so the ratio is steadier than either time).
     */
    public record Point(Kind kind, String name, double ratio, long params, double bflops, double map50Voc07,
                        double map50Voc12, double latencyMs, double latencyRatio) {
    }

    /** Something that can be pruned on its own: a group (pruned at each ratio) or a block (removed). */
    public record Candidate(Kind kind, String name, int group, ResidualBlock block) {
    }

    /** Called once per measured variant, with how many there are in all. */
    @FunctionalInterface
    public interface Progress {
        void done(int finished, int total);
    }

    private final NetworkSpec spec;
    private final WeightStore weights;
    private final Settings settings;
    private final List<PruneGroup> groups;
    private final List<Candidate> candidates;

    /** Throws {@link IllegalArgumentException} when {@code only} names no group or block of the network. */
    public SensitivityAnalysis(NetworkSpec spec, WeightStore weights, Settings settings) {
        this.spec = spec;
        this.weights = weights;
        this.settings = settings;
        this.groups = AutoGroups.groups(spec, GroupOptions.ratio(0));
        List<Candidate> all = new ArrayList<>();
        ChannelGraph graph = ChannelGraph.of(spec);
        for (int g = 0; g < groups.size(); g++) {
            boolean prunable = groups.get(g).layers().stream()
                    .anyMatch(l -> spec.layer(l) instanceof dev.edgeslim.detector.model.ConvLayer
                            && graph.setOfConv(l).prunable());
            if (prunable) {
                all.add(new Candidate(Kind.GROUP, groups.get(g).name(), g, null));
            }
        }
        for (ResidualBlock b : ResidualBlocks.find(spec, weights)) {
            all.add(new Candidate(Kind.BLOCK, "block-" + b.shortcut(), -1, b));
        }
        for (String name : settings.only()) {
            if (all.stream().noneMatch(c -> c.name().equals(name))) {
                throw new IllegalArgumentException("'" + name + "' is not a prunable group or residual block of the "
                        + "network (" + String.join(", ", all.stream().map(Candidate::name).toList()) + ")");
            }
        }
        this.candidates = all.stream().filter(c -> settings.only().isEmpty() || settings.only().contains(c.name()))
                .toList();
    }

    public List<Candidate> candidates() {
        return candidates;
    }

    /** Variants to measure: the baseline, each group at each ratio, each block. */
    public int variants() {
        int n = 1;
        for (Candidate c : candidates) {
            n += c.kind() == Kind.GROUP ? settings.ratios().size() : 1;
        }
        return n;
    }

    /** The network with group {@code group} pruned at {@code ratio}, the others untouched. */
    public PrunedNetwork groupPruned(int group, double ratio) {
        List<PruneGroup> gs = new ArrayList<>(groups);
        gs.set(group, groups.get(group).withOptions(groups.get(group).options().withRatio(ratio)));
        GroupPlanner planner = new GroupPlanner(ChannelGraph.of(spec), gs, PlanRule.UNION);
        return ModelSurgeon.prune(planner.graph(), weights, planner.plan(weights));
    }

    /** Measures every variant on {@code dataset}; {@code progress} may be null. */
    public List<Point> run(VocDataset dataset, Progress progress) {
        List<Point> points = new ArrayList<>();
        int total = variants();
        try (InferenceModel baseline = InferenceModel.create(spec, weights, settings.threads())) {
            points.add(measure(Kind.BASELINE, "unpruned", 0, new PrunedNetwork(spec, weights), dataset, baseline));
            report(progress, points.size(), total);
            for (Candidate c : candidates) {
                if (c.kind() == Kind.GROUP) {
                    for (double r : settings.ratios()) {
                        points.add(measure(Kind.GROUP, c.name(), r, groupPruned(c.group(), r), dataset, baseline));
                        report(progress, points.size(), total);
                    }
                } else {
                    PrunedNetwork without = BlockSurgeon.remove(spec, weights, List.of(c.block())).network();
                    points.add(measure(Kind.BLOCK, c.name(), 1, without, dataset, baseline));
                    report(progress, points.size(), total);
                }
            }
        }
        return points;
    }

    private static void report(Progress progress, int done, int total) {
        if (progress != null) {
            progress.done(done, total);
        }
    }

    private Point measure(Kind kind, String name, double ratio, PrunedNetwork net, VocDataset dataset,
                          InferenceModel baseline) {
        NetworkSpec s = net.spec();
        try (InferenceModel model = kind == Kind.BASELINE ? null
                : InferenceModel.create(s, net.weights(), settings.threads())) {
            InferenceModel measured = model == null ? baseline : model;
            EvalResult r = DatasetEvaluation.evaluate(measured, s, dataset, settings.batch(),
                    DatasetEvaluation.evaluationOptions(), null).result();
            float[] input = LatencyBenchmark.randomInput(s.inputShape().elements());
            List<TimedModel> timed = new ArrayList<>(List.of(TimedModel.tensorFlow(baseline)));
            if (model != null) {
                timed.add(TimedModel.tensorFlow(model));
            }
            List<LatencyStats> stats = LatencyBenchmark.measureEach(timed, java.util.Collections.nCopies(timed.size(),
                    input), 1, 2, settings.latencyRuns(), () -> { });
            double ms = stats.get(stats.size() - 1).medianMs();
            return new Point(kind, name, ratio, s.totalParams(), s.totalFlops() / 1e9, r.map11Point(),
                    r.mapAllPoint(), ms, ms / stats.get(0).medianMs());
        }
    }
}
