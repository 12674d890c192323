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
import java.util.function.UnaryOperator;

/**
 * Turns BN γ magnitudes into a {@link PruningPlan}, group by group.
 * <ol>
 *   <li>Every convolution of a group that belongs to a prunable coupled set contributes one (conv, channel)
 *       pair per output channel, ranked by |γ|. The group's criterion marks pairs "remove": the lowest
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
        return plan(weights, UnaryOperator.identity());
    }

    private PruningPlan plan(WeightStore weights, UnaryOperator<GroupOptions> adjust) {
        NetworkSpec spec = graph.spec();
        weights.checkMatches(spec);
        List<GroupOptions> options = groups.stream().map(g -> adjust.apply(g.options())).toList();
        // 1. per-group votes: removeVote[layer][channel]
        boolean[][] removeVote = new boolean[spec.size()][];
        for (int g = 0; g < groups.size(); g++) {
            List<double[]> pairs = new ArrayList<>(); // (|γ|, layer, channel)
            for (int l : groups.get(g).layers()) {
                if (spec.layer(l) instanceof ConvLayer && graph.setOfConv(l).prunable()) {
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
                if (groupOf[l] < 0) {
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

    private static void markRemovals(List<double[]> pairs, GroupOptions o, boolean[][] removeVote) {
        if (pairs.isEmpty() || o.amount() == 0) {
            return;
        }
        pairs.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1])
                .thenComparingDouble(p -> p[2]));
        if (o.criterion() == GroupOptions.Criterion.RATIO) {
            int remove = (int) Math.floor(o.amount() * pairs.size());
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

    /** The outcome of {@link #searchTarget}. */
    public record TargetResult(TargetMetric metric, double target, double quantile, double achieved, boolean met,
                               PruningPlan plan) {
    }

    /**
     * Finds the smallest common quantile q such that pruning every group with ratio min(0.999, q · weight)
     * removes at least {@code fraction} of the network's params (or FLOPs), by bisection (the removed fraction
     * grows with q). When even q at its maximum falls short, returns that plan with {@code met = false}.
     */
    public TargetResult searchTarget(WeightStore weights, TargetMetric metric, double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("target fraction must be within (0,1), got " + fraction);
        }
        double base = metric.of(graph.spec());
        double maxWeight = groups.stream().mapToDouble(g -> g.options().weight()).max().orElse(0);
        if (maxWeight == 0) {
            throw new IllegalArgumentException("every group has weight 0; nothing can be pruned to reach a target");
        }
        double hi = 0.999 / maxWeight;
        PruningPlan hiPlan = planAt(weights, hi);
        double hiRemoved = removed(hiPlan, metric, base);
        if (hiRemoved < fraction) {
            return new TargetResult(metric, fraction, hi, hiRemoved, false, hiPlan);
        }
        double lo = 0;
        for (int iter = 0; iter < 30 && hi - lo > 1e-5; iter++) {
            double mid = (lo + hi) / 2;
            PruningPlan p = planAt(weights, mid);
            double r = removed(p, metric, base);
            if (r >= fraction) {
                hi = mid;
                hiPlan = p;
                hiRemoved = r;
            } else {
                lo = mid;
            }
        }
        return new TargetResult(metric, fraction, hi, hiRemoved, true, hiPlan);
    }

    private PruningPlan planAt(WeightStore weights, double q) {
        return plan(weights, o -> o.withRatio(Math.min(0.999, q * o.weight())));
    }

    private double removed(PruningPlan plan, TargetMetric metric, double base) {
        return 1 - metric.of(ModelSurgeon.prunedSpec(graph, plan)) / base;
    }
}
