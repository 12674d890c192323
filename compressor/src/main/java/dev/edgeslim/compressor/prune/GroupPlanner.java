package dev.edgeslim.compressor.prune;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledChannel;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.compressor.graph.SliceBalance;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Turns BN γ magnitudes into a {@link PruningPlan}, group by group.
 * <ol>
 *   <li>Every convolution of a group that belongs to a prunable coupled set contributes one (conv, channel)
 *       pair per output channel, ranked by |γ| (except a convolution that only feeds depthwise ones: see
 *       {@link #votes}). The group's criterion marks pairs "remove": the lowest
 *       {@code ratio} fraction, or those below the {@code percentile}-th percentile of the group's |γ|.</li>
 *   <li>Per coupled set, the members that lie in some group vote per coupled channel and the {@link PlanRule}
 *       combines the votes (a set with no voting member keeps everything).</li>
 *   <li>The set then keeps at least its floor (the largest floor among its voters' groups), rounds up to a
 *       multiple of 8 if any voter's group asks, and satisfies its slice-balance constraints by raising every
 *       slice to the largest slice count. Channels added back are those with the highest rule score
 *       ({@link PlanRule#score}); the three steps repeat until all hold (counts only grow, so this ends).</li>
 * </ol>
 */
public final class GroupPlanner {
    private final ChannelGraph graph;
    private final List<PruneGroup> groups;
    private final PlanRule rule;
    private final int[] groupOf;

    public GroupPlanner(ChannelGraph graph, List<PruneGroup> groups, PlanRule rule) {
        this.graph = graph;
        this.groups = List.copyOf(groups);
        this.rule = rule;
        NetworkSpec spec = graph.spec();
        this.groupOf = new int[spec.size()];
        Arrays.fill(groupOf, -1);
        for (int g = 0; g < groups.size(); g++) {
            for (int l : groups.get(g).layers()) {
                if (l < 0 || l >= spec.size()) {
                    throw new IllegalArgumentException("group '" + groups.get(g).name() + "' names layer " + l
                            + ", outside 0.." + (spec.size() - 1));
                }
                if (groupOf[l] >= 0) {
                    throw new IllegalArgumentException("layer " + l + " is in groups '" + groups.get(groupOf[l]).name()
                            + "' and '" + groups.get(g).name() + "'");
                }
                groupOf[l] = g;
            }
        }
    }

    /** A planner over the automatic groups ({@link AutoGroups}), all with {@code options}. */
    public static GroupPlanner automatic(NetworkSpec spec, GroupOptions options, PlanRule rule) {
        return new GroupPlanner(ChannelGraph.of(spec), AutoGroups.groups(spec, options), rule);
    }

    public ChannelGraph graph() {
        return graph;
    }

    public List<PruneGroup> groups() {
        return groups;
    }

    public PlanRule rule() {
        return rule;
    }

    /** The group index of a layer, or -1 when it is in none. */
    public int groupOf(int layer) {
        return groupOf[layer];
    }

    /** Plans with each group's own options. */
    public PruningPlan plan(WeightStore weights) {
        return plan(weights, g -> groups.get(g).options());
    }

    /** Plans with the options {@code optionsOf} gives each group index. */
    private PruningPlan plan(WeightStore weights, IntFunction<GroupOptions> optionsOf) {
        NetworkSpec spec = graph.spec();
        weights.checkMatches(spec);
        List<GroupOptions> options = IntStream.range(0, groups.size()).mapToObj(optionsOf).toList();
        // 1. per-group votes: removeVote[layer][channel]
        boolean[][] removeVote = new boolean[spec.size()][];
        for (int g = 0; g < groups.size(); g++) {
            List<double[]> pairs = new ArrayList<>(); // (|γ|, layer, channel)
            for (int l : groups.get(g).layers()) {
                if (spec.layer(l) instanceof ConvLayer && graph.setOfConv(l).prunable() && votes(l)) {
                    float[] gamma = weights.conv(l).scales();
                    removeVote[l] = new boolean[gamma.length];
                    for (int c = 0; c < gamma.length; c++) {
                        pairs.add(new double[]{Math.abs(gamma[c]), l, c});
                    }
                }
            }
            markRemovals(pairs, options.get(g), removeVote);
        }
        // 2.-3. per coupled set
        List<boolean[]> masks = new ArrayList<>();
        for (CoupledSet set : graph.sets()) {
            boolean[] keep = new boolean[set.size()];
            Arrays.fill(keep, true);
            masks.add(keep);
            if (!set.prunable()) {
                continue;
            }
            int[] votes = new int[set.size()];
            int[] voters = new int[set.size()];
            List<List<Double>> magnitudes = new ArrayList<>();
            for (int i = 0; i < set.size(); i++) {
                magnitudes.add(new ArrayList<>());
            }
            int floor = 1;
            boolean round8 = false;
            for (int l : set.convLayers()) {
                if (groupOf[l] < 0 || !votes(l)) {
                    continue;
                }
                GroupOptions o = options.get(groupOf[l]);
                floor = Math.max(floor, o.floor(set.size()));
                round8 |= o.round8();
                float[] gamma = weights.conv(l).scales();
                for (int c = 0; c < gamma.length; c++) {
                    CoupledChannel cc = graph.channel(l, c);
                    voters[cc.index()]++;
                    votes[cc.index()] += removeVote[l][c] ? 0 : 1;
                    magnitudes.get(cc.index()).add((double) Math.abs(gamma[c]));
                }
            }
            double[] score = new double[set.size()];
            for (int i = 0; i < set.size(); i++) {
                if (voters[i] > 0) {
                    keep[i] = rule.keep(votes[i], voters[i]);
                    score[i] = rule.score(magnitudes.get(i).stream().mapToDouble(Double::doubleValue).toArray());
                } else {
                    score[i] = Double.POSITIVE_INFINITY;
                }
            }
            satisfy(keep, score, floor, round8, set.balances());
        }
        PruningPlan plan = PruningPlan.fromMasks(graph, masks);
        plan.checkAgainst(graph);
        return plan;
    }

    /**
     * Whether a convolution's γ ranks its channels. Not when its output only feeds depthwise convolutions with
     * batch norm: each such filter scales one channel and its BN normalises that scale away again, so the
     * depthwise BN's γ (coupled with this channel) is the channel's real gate and votes alone.
     */
    boolean votes(int conv) {
        NetworkSpec spec = graph.spec();
        List<Integer> consumers = spec.consumersOf(conv);
        return consumers.isEmpty() || !consumers.stream().allMatch(c -> spec.layer(c) instanceof ConvLayer dw
                && dw.batchNormalize() && dw.depthwise(graph.channels(conv)));
    }

    private static void markRemovals(List<double[]> pairs, GroupOptions o, boolean[][] removeVote) {
        if (pairs.isEmpty() || o.amount() == 0) {
            return;
        }
        pairs.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1])
                .thenComparingDouble(p -> p[2]));
        if (o.criterion() == GroupOptions.Criterion.RATIO) {
            // + 1e-9: a ratio computed as count / size (threshold allocation) must give back exactly count
            int remove = (int) Math.floor(o.amount() * pairs.size() + 1e-9);
            for (int k = 0; k < remove; k++) {
                removeVote[(int) pairs.get(k)[1]][(int) pairs.get(k)[2]] = true;
            }
        } else {
            double pos = o.amount() / 100.0 * (pairs.size() - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(pairs.size() - 1, lo + 1);
            double threshold = pairs.get(lo)[0] + (pos - lo) * (pairs.get(hi)[0] - pairs.get(lo)[0]);
            for (double[] p : pairs) {
                if (p[0] < threshold) {
                    removeVote[(int) p[1]][(int) p[2]] = true;
                }
            }
        }
    }

    /** Raises the kept set until floor, rounding and slice balance all hold. */
    static void satisfy(boolean[] keep, double[] score, int floor, boolean round8, List<SliceBalance> balances) {
        int size = keep.length;
        Integer[] byScore = new Integer[size];
        for (int i = 0; i < size; i++) {
            byScore[i] = i;
        }
        Arrays.sort(byScore, Comparator.<Integer>comparingDouble(i -> -score[i]).thenComparingInt(i -> i));
        boolean changed = true;
        while (changed) {
            changed = false;
            int kept = count(keep);
            if (kept < Math.min(floor, size)) {
                addBest(keep, byScore, null, Math.min(floor, size) - kept);
                changed = true;
            }
            for (SliceBalance b : balances) {
                int[] perSlice = b.keptPerSlice(keep);
                int max = Arrays.stream(perSlice).max().orElse(0);
                for (int s = 0; s < perSlice.length; s++) {
                    if (perSlice[s] < max) {
                        boolean[] inSlice = new boolean[size];
                        b.slices().get(s).forEach(i -> inSlice[i] = true);
                        addBest(keep, byScore, inSlice, max - perSlice[s]);
                        changed = true;
                    }
                }
            }
            kept = count(keep);
            if (!changed && round8 && kept % 8 != 0 && kept < size) {
                addBest(keep, byScore, null, 1);
                changed = true;
            }
        }
    }

    private static void addBest(boolean[] keep, Integer[] byScore, boolean[] allowed, int count) {
        for (int k = 0; k < byScore.length && count > 0; k++) {
            int i = byScore[k];
            if (!keep[i] && (allowed == null || allowed[i])) {
                keep[i] = true;
                count--;
            }
        }
    }

    private static int count(boolean[] keep) {
        int n = 0;
        for (boolean b : keep) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /**
     * The outcome of {@link #searchTarget}: {@code level} is the common quantile or |γ| threshold found, and
     * {@code ratios} the fraction of its prunable channels each group (in {@link #groups()} order) was asked to
     * remove at that level.
     */
    public record TargetResult(TargetMetric metric, double target, TargetAllocation allocation, double level,
                               List<Double> ratios, double achieved, boolean met, PruningPlan plan) {
        public TargetResult {
            ratios = List.copyOf(ratios);
        }
    }

    /** One global requirement: remove at least {@code fraction} of the network's {@code metric}. */
    public record Goal(TargetMetric metric, double fraction) {
        public Goal {
            if (metric == null || !(fraction > 0 && fraction < 1)) {
                throw new IllegalArgumentException("target fraction must be within (0,1), got " + fraction);
            }
        }
    }

    /**
     * Finds the smallest level such that pruning every group at that level removes at least {@code fraction} of
     * the network's params (or FLOPs), by bisection (the removed fraction grows with the level). The level is a
     * common quantile or a common |γ| threshold ({@link TargetAllocation}); either is scaled by each group's
     * weight. When even the largest level falls short, returns that plan with {@code met = false}.
     */
    public TargetResult searchTarget(WeightStore weights, TargetMetric metric, double fraction,
                                     TargetAllocation allocation) {
        return searchTarget(weights, List.of(new Goal(metric, fraction)), allocation); // Goal checks the fraction
    }

    /**
     * As above for several goals at once (say, 65% of the parameters and 50% of the FLOPs): the smallest level
     * that meets every goal, which is the largest of the levels each goal needs alone, since every metric's
     * removed share grows with the level. The result reports the first goal's metric.
     */
    public TargetResult searchTarget(WeightStore weights, List<Goal> goals, TargetAllocation allocation) {
        if (goals.isEmpty()) {
            throw new IllegalArgumentException("a target search needs at least one goal");
        }
        weights.checkMatches(graph.spec());
        Goals g = new Goals(goals);
        double maxWeight = groups.stream().mapToDouble(x -> x.options().weight()).max().orElse(0);
        if (maxWeight == 0) {
            throw new IllegalArgumentException("every group has weight 0; nothing can be pruned to reach a target");
        }
        List<double[]> sortedGamma = groups.stream().map(x -> sortedGamma(x, weights)).toList();
        double hi = allocation == TargetAllocation.QUANTILE ? 0.999 / maxWeight
                // a little above the largest |γ| over the smallest weight: every weighted group is then below it
                : sortedGamma.stream().mapToDouble(a -> a.length == 0 ? 0 : a[a.length - 1]).max().orElse(0)
                / minPositiveWeight() * 1.001 + Double.MIN_NORMAL;
        List<Double> hiRatios = ratiosAt(allocation, hi, sortedGamma);
        PruningPlan hiPlan = planAt(weights, hiRatios);
        Goal first = goals.get(0);
        if (!g.met(hiPlan)) {
            return new TargetResult(first.metric(), first.fraction(), allocation, hi, hiRatios, g.achieved(hiPlan),
                    false, hiPlan);
        }
        Bisection level = bisect(0, hi, 1e-5 * hi, 40, x -> ratiosAt(allocation, x, sortedGamma),
                new Step(hiRatios, hiPlan), weights, g);
        Step found = level.step();
        if (allocation == TargetAllocation.THRESHOLD) {
            // channels whose |γ| tie at the threshold enter together, and the removed share can jump far past the
            // target (γ hardly moved from their initial 1.0 after a short sparse training): take a growing part of
            // each group's step between the two sides of the threshold instead
            List<Double> below = ratiosAt(allocation, level.lo(), sortedGamma);
            List<Double> above = found.ratios();
            found = bisect(0, 1, 1e-6, 30, x -> IntStream.range(0, groups.size())
                    .mapToObj(i -> below.get(i) + x * (above.get(i) - below.get(i))).toList(),
                    found, weights, g).step();
        }
        return new TargetResult(first.metric(), first.fraction(), allocation, level.hi(), found.ratios(),
                g.achieved(found.plan()), true, found.plan());
    }

    /** The goals of a search, each measured against the unpruned network. */
    private final class Goals {
        private final List<Goal> goals;
        private final double[] base;

        Goals(List<Goal> goals) {
            this.goals = List.copyOf(goals);
            this.base = goals.stream().mapToDouble(x -> x.metric().of(graph.spec())).toArray();
        }

        boolean met(PruningPlan plan) {
            NetworkSpec pruned = ModelSurgeon.prunedSpec(graph, plan);
            for (int i = 0; i < goals.size(); i++) {
                if (1 - goals.get(i).metric().of(pruned) / base[i] < goals.get(i).fraction()) {
                    return false;
                }
            }
            return true;
        }

        /** The share of the first goal's metric that {@code plan} removes. */
        double achieved(PruningPlan plan) {
            return 1 - goals.get(0).metric().of(ModelSurgeon.prunedSpec(graph, plan)) / base[0];
        }
    }

    /** Group ratios and the plan they give. */
    private record Step(List<Double> ratios, PruningPlan plan) {
    }

    /** The bracket [lo, hi] left by {@link #bisect} and the step at hi. */
    private record Bisection(double lo, double hi, Step step) {
    }

    /**
     * Narrows [lo, hi] on x, where {@code ratiosOf(x)} grows with x and {@code atHi} (the step at hi) meets the
     * goals, to the least x whose step still meets them.
     */
    private Bisection bisect(double lo, double hi, double tolerance, int iterations, DoubleFunction<List<Double>> ratiosOf,
                             Step atHi, WeightStore weights, Goals goals) {
        Step best = atHi;
        for (int iter = 0; iter < iterations && hi - lo > tolerance; iter++) {
            double mid = (lo + hi) / 2;
            List<Double> r = ratiosOf.apply(mid);
            PruningPlan p = planAt(weights, r);
            if (goals.met(p)) {
                hi = mid;
                best = new Step(r, p);
            } else {
                lo = mid;
            }
        }
        return new Bisection(lo, hi, best);
    }

    /** Each group's ratio at {@code level}: q · weight, or the share of its |γ| below t · weight. */
    private List<Double> ratiosAt(TargetAllocation allocation, double level, List<double[]> sortedGamma) {
        List<Double> ratios = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            double w = groups.get(g).options().weight();
            double ratio;
            if (allocation == TargetAllocation.QUANTILE) {
                ratio = level * w;
            } else {
                double[] gamma = sortedGamma.get(g);
                int below = lowerBound(gamma, level * w);
                ratio = gamma.length == 0 ? 0 : (double) below / gamma.length;
            }
            ratios.add(Math.min(0.999, ratio));
        }
        return ratios;
    }

    /** The group's prunable |γ| in ascending order (what its ratio criterion ranks). */
    private double[] sortedGamma(PruneGroup group, WeightStore weights) {
        List<Double> gamma = new ArrayList<>();
        for (int l : group.layers()) {
            if (graph.spec().layer(l) instanceof ConvLayer && graph.setOfConv(l).prunable()) {
                for (float v : weights.conv(l).scales()) {
                    gamma.add((double) Math.abs(v));
                }
            }
        }
        return gamma.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /** How many values of the ascending {@code a} are below {@code x}. */
    private static int lowerBound(double[] a, double x) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private double minPositiveWeight() {
        return groups.stream().mapToDouble(g -> g.options().weight()).filter(w -> w > 0).min().orElse(1);
    }

    private PruningPlan planAt(WeightStore weights, List<Double> ratios) {
        return plan(weights, g -> groups.get(g).options().withRatio(ratios.get(g)));
    }
}
