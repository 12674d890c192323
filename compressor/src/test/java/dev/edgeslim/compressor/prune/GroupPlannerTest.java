package dev.edgeslim.compressor.prune;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.compressor.graph.SliceBalance;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupPlannerTest {
    private static final Map<String, NetworkSpec> SPECS = new HashMap<>();

    static NetworkSpec spec(String name) {
        return SPECS.computeIfAbsent(name, n -> CfgParser.parse(ReferenceFiles.cfg(n)));
    }

    static List<Path> cfgs() {
        return ReferenceFiles.allCfgs();
    }

    @Test
    void yolov4GroupsFollowTheArchitecture() {
        NetworkSpec spec = spec("yolov4.cfg");
        List<PruneGroup> groups = AutoGroups.groups(spec, GroupOptions.ratio(0.5));
        assertEquals(List.of("backbone/s1", "backbone/s2", "backbone/s4", "backbone/s8", "backbone/s16", "backbone/s32",
                "neck/spp", "top-down", "head/s8", "bottom-up", "head/s16", "head/s32"), names(groups));
        Map<String, List<Integer>> byName = byName(groups);
        // each backbone stage from s2 on starts with its stride-2 convolution and ends with its CSP transition,
        // whose output the neck reads (lateral routes) or the next stage downsamples
        for (String stage : List.of("backbone/s2", "backbone/s4", "backbone/s8", "backbone/s16", "backbone/s32")) {
            List<Integer> layers = byName.get(stage);
            assertEquals(2, spec.conv(layers.get(0)).stride(), stage);
            int last = layers.get(layers.size() - 1);
            assertEquals(1, spec.conv(last).size(), stage + " ends with a 1x1 transition");
            assertTrue(spec.consumersOf(last).stream().anyMatch(c -> !byName.get(stage).contains(c)), stage);
        }
        List<Integer> neck = byName.get("neck/spp");
        assertEquals(3, neck.stream().filter(l -> spec.layer(l) instanceof MaxPoolLayer m && m.stride() == 1).count());
        assertEquals(6, neck.stream().filter(l -> spec.layer(l) instanceof ConvLayer).count());
        assertEquals(2, byName.get("top-down").stream().filter(l -> spec.layer(l) instanceof UpsampleLayer).count());
        assertEquals(2, byName.get("bottom-up").stream()
                .filter(l -> spec.layer(l) instanceof ConvLayer c && c.stride() == 2).count());
        for (String head : List.of("head/s8", "head/s16", "head/s32")) {
            List<Integer> layers = byName.get(head);
            assertEquals(3, layers.size());
            assertEquals(3, spec.conv(layers.get(0)).size());
            assertEquals(1, spec.conv(layers.get(1)).size());
            assertTrue(spec.layer(layers.get(2)) instanceof YoloLayer);
        }
    }

    @Test
    void tinyModelsGetBackboneStagesNeckTopDownAndTwoHeads() {
        assertEquals(List.of("backbone/s2", "backbone/s4", "backbone/s8", "backbone/s16", "backbone/s32", "neck",
                "head/s32", "top-down", "head/s16"), names(AutoGroups.groups(spec("yolov4-tiny.cfg"), GroupOptions.ratio(0))));
        assertEquals(List.of("backbone/s1", "backbone/s2", "backbone/s4", "backbone/s8", "backbone/s16", "backbone/s32",
                "neck", "head/s32", "top-down", "head/s16"),
                names(AutoGroups.groups(spec("yolov3-tiny.cfg"), GroupOptions.ratio(0))));
        Map<String, List<Integer>> tiny = byName(AutoGroups.groups(spec("yolov4-tiny.cfg"), GroupOptions.ratio(0)));
        // the deepest stage has no join: it keeps its first convolution (the 3x3 after the last maxpool)
        List<Integer> s32 = tiny.get("backbone/s32");
        assertTrue(spec("yolov4-tiny.cfg").layer(s32.get(0)) instanceof MaxPoolLayer);
        assertEquals(3, spec("yolov4-tiny.cfg").conv(s32.get(1)).size());
        assertEquals(1, tiny.get("neck").size());
    }

    @ParameterizedTest
    @MethodSource("cfgs")
    void everyLayerIsInExactlyOneGroupAndWidthScalingKeepsTheGroups(Path cfg) {
        NetworkSpec spec = CfgParser.parse(cfg);
        List<PruneGroup> groups = AutoGroups.groups(spec, GroupOptions.ratio(0.3));
        int[] count = new int[spec.size()];
        groups.forEach(g -> g.layers().forEach(l -> count[l]++));
        for (int c : count) {
            assertEquals(1, c);
        }
        assertEquals(spec.yoloLayers().size(), groups.stream().filter(g -> g.name().startsWith("head/")).count());
        Map<Integer, ConvLayer> half = new HashMap<>();
        for (int l : spec.convLayers()) {
            if (spec.conv(l).batchNormalize()) {
                half.put(l, spec.conv(l).withFilters(spec.conv(l).filters() / 2));
            }
        }
        NetworkSpec narrow = spec.withLayers(half);
        assertEquals(groups.stream().map(PruneGroup::layers).toList(),
                AutoGroups.groups(narrow, GroupOptions.ratio(0.3)).stream().map(PruneGroup::layers).toList());
        assertEquals(names(groups), names(AutoGroups.groups(narrow, GroupOptions.ratio(0.3))));
    }

    @Test
    void ratioZeroKeepsEverythingAndPercentileZeroToo() {
        NetworkSpec spec = spec("yolov4.cfg");
        WeightStore w = PruneFixtures.sparseGammas(spec, 1);
        assertEquals(0, GroupPlanner.automatic(spec, GroupOptions.ratio(0), PlanRule.INTERSECTION).plan(w).removedChannels());
        assertEquals(0, GroupPlanner.automatic(spec, GroupOptions.percentile(0), PlanRule.INTERSECTION).plan(w).removedChannels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"yolov4-tiny.cfg", "yolov3-tiny.cfg"})
    void ratioHalfRemovesAboutHalfOfEachGroupsPrunableChannels(String name) {
        NetworkSpec spec = spec(name);
        WeightStore w = PruneFixtures.sparseGammas(spec, 2);
        GroupPlanner planner = GroupPlanner.automatic(spec, GroupOptions.ratio(0.5).withFloor(1, 0), PlanRule.UNION);
        PruningPlan plan = planner.plan(w);
        ChannelGraph g = planner.graph();
        for (PruneGroup group : planner.groups()) {
            int prunable = 0;
            int removed = 0;
            for (int l : group.layers()) {
                if (spec.layer(l) instanceof ConvLayer && g.setOfConv(l).prunable()) {
                    CoupledSet s = g.setOfConv(l);
                    prunable += s.size();
                    removed += s.size() - plan.set(s.id()).kept().size();
                }
            }
            if (prunable > 0) {
                double f = (double) removed / prunable;
                assertTrue(f > 0.4 && f <= 0.5, group.name() + " removed " + f);
            }
        }
        // percentile 50 is the same idea by value
        PruningPlan byPercentile = GroupPlanner.automatic(spec, GroupOptions.percentile(50).withFloor(1, 0),
                PlanRule.UNION).plan(w);
        assertEquals(plan.removedChannels(), byPercentile.removedChannels(), 0.05 * plan.removedChannels());
    }

    @Test
    void floorsRoundingAndSliceBalanceHold() {
        NetworkSpec spec = spec("yolov4-tiny.cfg");
        WeightStore w = PruneFixtures.sparseGammas(spec, 3);
        GroupOptions harsh = GroupOptions.ratio(0.99).withFloor(6, 10);
        PruningPlan plan = GroupPlanner.automatic(spec, harsh, PlanRule.UNION).plan(w);
        ChannelGraph g = ChannelGraph.of(spec);
        for (CoupledSet s : g.sets()) {
            int kept = plan.set(s.id()).kept().size();
            if (!s.prunable()) {
                assertEquals(s.size(), kept);
                continue;
            }
            int floor = Math.max(6, (int) Math.ceil(0.1 * s.size()));
            assertTrue(kept >= floor, "set " + s.id());
            if (s.balances().isEmpty()) {
                assertEquals(floor, kept, "ratio 0.99 keeps exactly the floor, set " + s.id());
            }
            for (SliceBalance b : s.balances()) {
                int[] per = b.keptPerSlice(plan.set(s.id()).mask());
                assertEquals(per[0], per[1], "set " + s.id());
            }
        }
        PruningPlan rounded = GroupPlanner.automatic(spec, GroupOptions.ratio(0.63).withRound8(true), PlanRule.UNION).plan(w);
        for (CoupledSet s : g.sets()) {
            int kept = rounded.set(s.id()).kept().size();
            assertTrue(kept % 8 == 0 || kept == s.size(), "set " + s.id() + " keeps " + kept);
        }
        assertTrue(rounded.removedChannels() > 0);
    }

    @Test
    void intersectionRemovesMoreThanMajorityMoreThanUnionOnResidualChains() {
        NetworkSpec spec = spec("yolov4.cfg");
        WeightStore w = PruneFixtures.sparseGammas(spec, 4);
        int union = GroupPlanner.automatic(spec, GroupOptions.ratio(0.5), PlanRule.UNION).plan(w).removedChannels();
        int majority = GroupPlanner.automatic(spec, GroupOptions.ratio(0.5), PlanRule.MAJORITY).plan(w).removedChannels();
        int inter = GroupPlanner.automatic(spec, GroupOptions.ratio(0.5), PlanRule.INTERSECTION).plan(w).removedChannels();
        assertTrue(union < majority && majority < inter, union + " " + majority + " " + inter);
        assertEquals(PlanRule.MAJORITY, PlanRule.parse(" Majority "));
        assertNull(PlanRule.parse("most"));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.1, 1.0, 1.5, Double.NaN})
    void ratiosOutsideTheHalfOpenUnitIntervalAreErrors(double r) {
        assertThrows(IllegalArgumentException.class, () -> GroupOptions.ratio(r));
        assertThrows(IllegalArgumentException.class, () -> GroupOptions.percentile(r * 100));
    }

    @Test
    void targetParamsAndFlopsAreReachedWithinTolerance() {
        NetworkSpec spec = spec("yolov4-tiny.cfg");
        WeightStore w = PruneFixtures.sparseGammas(spec, 5);
        GroupPlanner planner = GroupPlanner.automatic(spec, GroupOptions.ratio(0.1), PlanRule.UNION);
        for (TargetAllocation allocation : TargetAllocation.values()) {
            for (TargetMetric metric : TargetMetric.values()) {
                for (double target : new double[]{0.35, 0.6}) {
                    GroupPlanner.TargetResult r = planner.searchTarget(w, metric, target, allocation);
                    assertTrue(r.met());
                    NetworkSpec pruned = ModelSurgeon.prunedSpec(planner.graph(), r.plan());
                    double removed = 1 - metric.of(pruned) / metric.of(spec);
                    assertEquals(r.achieved(), removed, 1e-12);
                    assertTrue(removed >= target && removed < target + 0.03,
                            allocation + " " + metric + " " + target + ": " + removed);
                }
            }
            GroupPlanner.TargetResult impossible = planner.searchTarget(w, TargetMetric.PARAMS, 0.999, allocation);
            assertFalse(impossible.met());
            assertTrue(impossible.achieved() > 0.8, allocation + ": " + impossible.achieved());
        }
    }

    /** A parameter goal and a FLOPs goal together: the plan meets both, and is what the harder goal alone asks. */
    @Test
    void aParameterAndAFlopsGoalAreMetTogetherByTheHarderOnesPlan() {
        NetworkSpec spec = spec("yolov4-tiny.cfg");
        WeightStore w = PruneFixtures.sparseGammas(spec, 5);
        GroupPlanner planner = GroupPlanner.automatic(spec, GroupOptions.ratio(0.1), PlanRule.UNION);
        for (double[] goals : new double[][]{{0.6, 0.3}, {0.3, 0.6}}) {
            GroupPlanner.TargetResult both = planner.searchTarget(w, List.of(
                    new GroupPlanner.Goal(TargetMetric.PARAMS, goals[0]),
                    new GroupPlanner.Goal(TargetMetric.FLOPS, goals[1])), TargetAllocation.THRESHOLD);
            assertTrue(both.met());
            NetworkSpec pruned = ModelSurgeon.prunedSpec(planner.graph(), both.plan());
            double params = 1 - TargetMetric.PARAMS.of(pruned) / TargetMetric.PARAMS.of(spec);
            double flops = 1 - TargetMetric.FLOPS.of(pruned) / TargetMetric.FLOPS.of(spec);
            assertTrue(params >= goals[0] && flops >= goals[1], params + " / " + flops);
            assertEquals(params, both.achieved(), 1e-12);
            // the binding goal is reached closely, as it would be alone
            TargetMetric binding = goals[0] > goals[1] ? TargetMetric.PARAMS : TargetMetric.FLOPS;
            double target = Math.max(goals[0], goals[1]);
            GroupPlanner.TargetResult alone = planner.searchTarget(w, binding, target, TargetAllocation.THRESHOLD);
            double removed = binding == TargetMetric.PARAMS ? params : flops;
            assertTrue(removed >= target && removed <= alone.achieved() + 0.02, binding + ": " + removed + " vs "
                    + alone.achieved());
        }
    }

    /**
     * Two groups, one the sparse training made sparse (most |γ| near zero) and one it left dense: one |γ|
     * threshold takes the near-zero channels of the first and leaves the second alone, while one quantile cuts
     * the same share of both, live channels of the dense group included.
     */
    @Test
    void thresholdAllocationFollowsEachGroupsOwnGammaDistribution() {
        NetworkSpec spec = spec("yolov4-tiny.cfg");
        GroupOptions options = GroupOptions.ratio(0).withFloor(1, 0);
        List<PruneGroup> auto = AutoGroups.groups(spec, options);
        PruneGroup sparse = auto.stream().max(java.util.Comparator.comparingLong(g -> paramsOf(spec, g))).orElseThrow();
        PruneGroup dense = auto.stream().filter(g -> g != sparse)
                .max(java.util.Comparator.comparingLong(g -> paramsOf(spec, g))).orElseThrow();
        GroupPlanner planner = new GroupPlanner(ChannelGraph.of(spec), List.of(sparse, dense), PlanRule.UNION);
        WeightStore w = WeightInitializer.forTesting(spec, 3);
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        for (int l = 0; l < spec.size(); l++) {
            if (spec.layer(l) instanceof ConvLayer && w.conv(l).scales() != null) {
                float[] gamma = w.conv(l).scales();
                boolean inSparse = sparse.layers().contains(l);
                for (int c = 0; c < gamma.length; c++) {
                    // sparse group: 70% of γ in [0, 0.001), the rest in [0.5, 1.5); dense group: all in [0.5, 1.5)
                    boolean dead = inSparse && random.nextDouble() < 0.7;
                    gamma[c] = (float) (dead ? 0.001 * random.nextDouble() : 0.5 + random.nextDouble());
                }
            }
        }
        double target = 0.1;
        GroupPlanner.TargetResult byThreshold = planner.searchTarget(w, TargetMetric.PARAMS, target,
                TargetAllocation.THRESHOLD);
        GroupPlanner.TargetResult byQuantile = planner.searchTarget(w, TargetMetric.PARAMS, target,
                TargetAllocation.QUANTILE);
        assertTrue(byThreshold.met() && byQuantile.met());
        // the threshold lies in the gap: only near-zero channels go, and none of the dense group's
        assertTrue(byThreshold.level() < 0.5, String.valueOf(byThreshold.level()));
        assertEquals(0.0, byThreshold.ratios().get(1));
        assertTrue(byThreshold.ratios().get(0) > 0.2 && byThreshold.ratios().get(0) < 0.75,
                byThreshold.ratios().toString());
        // each group's ratio is the share of its own |γ| below the threshold
        for (int g = 0; g < 2; g++) {
            double[] gamma = groupGammas(spec, w, planner.groups().get(g));
            double level = byThreshold.level();
            double below = java.util.Arrays.stream(gamma).filter(v -> v < level).count() / (double) gamma.length;
            assertEquals(below, byThreshold.ratios().get(g), 1e-12);
        }
        // the common quantile removes the same share of both groups, so live channels of the dense group go
        assertEquals(byQuantile.ratios().get(0), byQuantile.ratios().get(1), 1e-12);
        assertTrue(byQuantile.ratios().get(1) > 0.05, byQuantile.ratios().toString());
        assertTrue(removedGammaMass(spec, w, planner, byThreshold.plan())
                < removedGammaMass(spec, w, planner, byQuantile.plan()));
    }

    /** Every |γ| equal (as in a network barely trained from γ = 1): the threshold cannot split them, the search must. */
    @Test
    void thresholdTargetIsNotOvershotWhenGammasTie() {
        NetworkSpec spec = spec("yolov4-tiny.cfg");
        GroupPlanner planner = GroupPlanner.automatic(spec, GroupOptions.ratio(0), PlanRule.UNION);
        WeightStore w = WeightInitializer.forTesting(spec, 3);
        for (int l = 0; l < spec.size(); l++) {
            if (spec.layer(l) instanceof ConvLayer && w.conv(l).scales() != null) {
                java.util.Arrays.fill(w.conv(l).scales(), 1f);
            }
        }
        for (double target : new double[]{0.2, 0.3, 0.5, 0.7}) {
            GroupPlanner.TargetResult r = planner.searchTarget(w, TargetMetric.PARAMS, target,
                    TargetAllocation.THRESHOLD);
            assertTrue(r.met());
            assertTrue(r.achieved() >= target && r.achieved() < target + 0.03, target + ": " + r.achieved());
            // tied γ look alike to every group: one ratio for all, and the least that reaches the target
            double ratio = r.ratios().get(0);
            r.ratios().forEach(x -> assertEquals(ratio, x, 1e-9));
            PruningPlan less = GroupPlanner.automatic(spec, GroupOptions.ratio(ratio - 0.01), PlanRule.UNION).plan(w);
            double removedByLess = 1 - (double) ModelSurgeon.prunedSpec(planner.graph(), less).totalParams()
                    / spec.totalParams();
            assertTrue(removedByLess < target, target + ": ratio " + ratio + " is not the least, "
                    + (ratio - 0.01) + " removes " + removedByLess);
        }
    }

    private static long paramsOf(NetworkSpec spec, PruneGroup g) {
        return g.layers().stream().mapToLong(spec::params).sum();
    }

    private static double[] groupGammas(NetworkSpec spec, WeightStore w, PruneGroup g) {
        ChannelGraph graph = ChannelGraph.of(spec);
        return g.layers().stream().filter(l -> spec.layer(l) instanceof ConvLayer
                        && graph.setOfConv(l).prunable())
                .flatMapToDouble(l -> {
                    float[] s = w.conv(l).scales();
                    return java.util.stream.IntStream.range(0, s.length).mapToDouble(c -> Math.abs(s[c]));
                }).toArray();
    }

    /** Σ |γ| of the conv channels the plan removes: what pruning throws away. */
    private static double removedGammaMass(NetworkSpec spec, WeightStore w, GroupPlanner planner, PruningPlan plan) {
        double mass = 0;
        for (int l = 0; l < spec.size(); l++) {
            if (spec.layer(l) instanceof ConvLayer && w.conv(l).scales() != null) {
                float[] s = w.conv(l).scales();
                for (int c = 0; c < s.length; c++) {
                    var cc = planner.graph().channel(l, c);
                    mass += plan.set(cc.set()).mask()[cc.index()] ? 0 : Math.abs(s[c]);
                }
            }
        }
        return mass;
    }

    @Test
    void groupFileReplacesAutomaticGroups(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        NetworkSpec spec = spec("yolov4-tiny.cfg");
        Path file = tmp.resolve("groups.txt");
        Files.writeString(file, """
                # name   layers      options
                early    0-8         ratio=0
                middle   9-24        ratio=0.5 floor-k=8 round8=true
                late     25-27,31-35 percentile=30 weight=2
                """);
        List<PruneGroup> groups = GroupFile.read(file, spec, GroupOptions.ratio(0.2));
        assertEquals(List.of("early", "middle", "late"), names(groups));
        assertEquals(0, groups.get(0).options().amount());
        assertEquals(8, groups.get(1).options().floorK());
        assertTrue(groups.get(1).options().round8());
        assertEquals(GroupOptions.Criterion.PERCENTILE, groups.get(2).options().criterion());
        assertEquals(2, groups.get(2).options().weight());
        assertEquals(List.of(25, 26, 27, 31, 32, 33, 34, 35), groups.get(2).layers());
        GroupPlanner planner = new GroupPlanner(ChannelGraph.of(spec), groups, PlanRule.UNION);
        PruningPlan plan = planner.plan(PruneFixtures.sparseGammas(spec, 6));
        for (int l : spec.convLayers()) {
            CoupledSet s = planner.graph().setOfConv(l);
            int kept = plan.set(s.id()).kept().size();
            if (l <= 8) {
                assertEquals(s.size(), kept, "ratio=0 group keeps conv " + l);
            } else if (l <= 24) {
                assertTrue(kept < s.size() && kept % 8 == 0, "conv " + l);
            }
        }
        assertEquals(s(planner, 28), plan.set(planner.graph().setOfConv(28).id()).kept().size(),
                "conv 28 is in no group: it keeps everything");
    }

    private static int s(GroupPlanner p, int conv) {
        return p.graph().setOfConv(conv).size();
    }

    @Test
    void groupFileErrorsNameTheFileLineAndProblem(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        NetworkSpec spec = spec("yolov4-tiny.cfg");
        assertGroupError(tmp, spec, "a 0-10\nb 5-12\n", ":2: layer 5 is in group 'a' and in group 'b'");
        assertGroupError(tmp, spec, "a 0-10\nb 30-40\n", ":2: layer 40 does not exist: the network has 38 layers (0..37)");
        assertGroupError(tmp, spec, "a conv5\n", ":1: layers must be indices or ranges");
        assertGroupError(tmp, spec, "a 4-2\n", ":1: range 4-2 is backwards");
        assertGroupError(tmp, spec, "a 0-3 ratio=1.5\n", ":1: ratio must be within [0,1)");
        assertGroupError(tmp, spec, "a 0-3 ratio=abc\n", ":1: ratio must be a number");
        assertGroupError(tmp, spec, "a 0-3 speed=3\n", ":1: unknown option 'speed'");
        assertGroupError(tmp, spec, "a 0-3\na 4-5\n", ":2: group 'a' is already defined on line 1");
        assertGroupError(tmp, spec, "justaname\n", ":1: expected 'NAME LAYERS");
        assertGroupError(tmp, spec, "# nothing\n", "defines no group");
        BadInputException missing = assertThrows(BadInputException.class,
                () -> GroupFile.read(tmp.resolve("none.txt"), spec, GroupOptions.ratio(0)));
        assertTrue(missing.getMessage().contains("none.txt: no such file"));
    }

    private static void assertGroupError(Path tmp, NetworkSpec spec, String text, String expected) throws Exception {
        Path file = Files.writeString(tmp.resolve("g.txt"), text);
        BadInputException e = assertThrows(BadInputException.class, () -> GroupFile.read(file, spec, GroupOptions.ratio(0)));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void planIsPrintableAndRoundTripsThroughJson() {
        NetworkSpec spec = spec("yolov4-tiny.cfg");
        GroupPlanner planner = GroupPlanner.automatic(spec, GroupOptions.ratio(0.4), PlanRule.UNION);
        PruningPlan plan = planner.plan(PruneFixtures.sparseGammas(spec, 7));
        PruningPlan back = PruningPlan.fromJson(plan.toJson(), "plan.json");
        assertEquals(plan, back);
        back.checkAgainst(planner.graph());
        assertTrue(plan.toString().contains("coupled channels removed") && plan.toString().contains(" -> "));
        assertThrows(BadInputException.class, () -> PruningPlan.fromJson("{\"sets\": [{\"set\": 1}]}", "bad.json"));
        assertThrows(BadInputException.class, () -> PruningPlan.fromJson("[1,2", "bad.json"));
    }

    private static List<String> names(List<PruneGroup> groups) {
        return groups.stream().map(PruneGroup::name).toList();
    }

    private static Map<String, List<Integer>> byName(List<PruneGroup> groups) {
        Map<String, List<Integer>> m = new HashMap<>();
        groups.forEach(g -> m.put(g.name(), new ArrayList<>(g.layers())));
        return m;
    }
}
