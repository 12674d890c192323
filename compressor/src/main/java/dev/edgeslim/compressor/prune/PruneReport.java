package dev.edgeslim.compressor.prune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What pruning did, per layer, per group and in total: output channels (filters for convolutions), parameters
 * and BFLOPs before and after, as JSON ({@link #toJson}), markdown ({@link #toMarkdown}) and a PNG bar chart of
 * kept filters per convolution ({@link #keptChannelsPng}).
 *
 * @param rule    the plan rule used
 * @param target  the global target search outcome, or null when groups were pruned by their own options
 * @param keptWhole the coupled sets of convolutions no channel can be removed from, each with why (e.g. it feeds
 *                  a [yolo] layer, or touches a grouped convolution that is not depthwise)
 * @param blocks  the residual blocks removed whole (their layers show 0 channels after), empty when none
 */
public record PruneReport(String rule, Target target, List<LayerRow> layers, List<GroupRow> groups, Totals total,
                          List<KeptSet> keptWhole, List<BlockRow> blocks) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String NO_GROUP = "(none)";

    public record LayerRow(int index, String type, String group, int filtersBefore, int filtersAfter,
                           long paramsBefore, long paramsAfter, double bflopsBefore, double bflopsAfter) {
    }

    /** {@code prunableFilters}: filters of the group's convolutions that belong to prunable coupled sets. */
    public record GroupRow(String name, String options, int convs, int filtersBefore, int filtersAfter,
                           int prunableFilters, long paramsBefore, long paramsAfter, double bflopsBefore,
                           double bflopsAfter) {
    }

    /**
     * A removed residual block: its [shortcut] layer, the first and last layer removed (input layer indices), the
     * |γ| it was ranked by, and the parameters and BFLOPs its layers had after channel pruning.
     */
    public record BlockRow(int shortcut, int firstLayer, int lastLayer, double importance, long params,
                           double bflops) {
    }

    /** Convolutions whose output channels are kept whole, and the reasons. */
    public record KeptSet(List<Integer> convs, List<String> reasons) {
    }

    public record Totals(int convs, int filtersBefore, int filtersAfter, long paramsBefore, long paramsAfter,
                         double bflopsBefore, double bflopsAfter, double paramsRemovedFraction,
                         double flopsRemovedFraction, int inputWidth, int inputHeight) {
    }

    /**
     * @param metric     "params" or "flops"; {@code achieved} is the removed fraction actually reached
     * @param allocation "quantile" or "threshold" ({@link TargetAllocation}); {@code level} is the common quantile
     *                   or |γ| threshold that reached the target
     */
    public record Target(String metric, double fraction, String allocation, double level, double achieved,
                         boolean met) {
    }

    public static PruneReport of(NetworkSpec before, NetworkSpec after, GroupPlanner planner,
                                 GroupPlanner.TargetResult target) {
        ChannelGraph graph = planner.graph();
        List<LayerRow> rows = new ArrayList<>();
        Map<String, long[]> acc = new LinkedHashMap<>(); // convs, fBefore, fAfter, prunable, pBefore, pAfter, flB, flA
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < planner.groups().size(); i++) {
            PruneGroup g = planner.groups().get(i);
            acc.put(g.name(), new long[8]);
            // in target mode every group ran at the ratio the search gave it, whatever its own criterion said
            options.put(g.name(), target == null ? g.options().toString()
                    : g.options().withRatio(target.ratios().get(i)) + " (target)");
        }
        int convs = 0;
        int fBefore = 0;
        int fAfter = 0;
        for (int l = 0; l < before.size(); l++) {
            int g = planner.groupOf(l);
            String group = g < 0 ? NO_GROUP : planner.groups().get(g).name();
            rows.add(new LayerRow(l, before.layer(l).section(), group, before.shapeOf(l).channels(),
                    after.shapeOf(l).channels(), before.params(l), after.params(l), before.flops(l) / 1e9,
                    after.flops(l) / 1e9));
            long[] a = acc.computeIfAbsent(group, k -> new long[8]);
            if (before.layer(l) instanceof ConvLayer c) {
                convs++;
                fBefore += c.filters();
                fAfter += after.conv(l).filters();
                a[0]++;
                a[1] += c.filters();
                a[2] += after.conv(l).filters();
                a[3] += graph.setOfConv(l).prunable() ? c.filters() : 0;
            }
            a[4] += before.params(l);
            a[5] += after.params(l);
            a[6] += before.flops(l);
            a[7] += after.flops(l);
        }
        List<GroupRow> groups = new ArrayList<>();
        acc.forEach((name, a) -> groups.add(new GroupRow(name, options.getOrDefault(name, "not pruned"), (int) a[0],
                (int) a[1], (int) a[2], (int) a[3], a[4], a[5], a[6] / 1e9, a[7] / 1e9)));
        Totals total = new Totals(convs, fBefore, fAfter, before.totalParams(), after.totalParams(),
                before.totalFlops() / 1e9, after.totalFlops() / 1e9,
                1 - (double) after.totalParams() / before.totalParams(),
                1 - (double) after.totalFlops() / before.totalFlops(), before.net().width(), before.net().height());
        Target t = target == null ? null : new Target(target.metric().name().toLowerCase(Locale.ROOT), target.target(),
                target.allocation().id(), target.level(), target.achieved(), target.met());
        List<KeptSet> keptWhole = graph.sets().stream().filter(set -> !set.prunable() && !set.convLayers().isEmpty())
                .map(set -> new KeptSet(set.convLayers(), set.unprunableReasons())).toList();
        return new PruneReport(planner.rule().name().toLowerCase(Locale.ROOT), t, rows, groups, total, keptWhole,
                List.of());
    }

    /**
     * This report after the residual blocks {@code removed} were taken out of its pruned network: the removed
     * layers' rows show 0 channels, parameters and FLOPs after; groups and totals are measured on {@code after}
     * (the network without the blocks), {@code newIndex} maps this report's layer indices to {@code after}'s.
     */
    public PruneReport withBlocks(NetworkSpec before, NetworkSpec channelPruned,
                                  List<dev.edgeslim.compressor.blocks.ResidualBlock> removed, int[] newIndex,
                                  NetworkSpec after) {
        if (removed.isEmpty()) {
            return this;
        }
        List<LayerRow> rows = new ArrayList<>();
        Map<String, long[]> acc = new LinkedHashMap<>(); // fAfter, pAfter, flopsAfter
        int fAfter = 0;
        for (LayerRow r : layers) {
            int to = newIndex[r.index()];
            LayerRow row = to < 0 ? new LayerRow(r.index(), r.type(), r.group(), r.filtersBefore(), 0,
                    r.paramsBefore(), 0, r.bflopsBefore(), 0)
                    : new LayerRow(r.index(), r.type(), r.group(), r.filtersBefore(), after.shapeOf(to).channels(),
                    r.paramsBefore(), after.params(to), r.bflopsBefore(), after.flops(to) / 1e9);
            rows.add(row);
            long[] a = acc.computeIfAbsent(r.group(), k -> new long[3]);
            if (r.type().equals("convolutional")) {
                a[0] += row.filtersAfter();
                fAfter += row.filtersAfter();
            }
            a[1] += row.paramsAfter();
            a[2] += to < 0 ? 0 : after.flops(to);
        }
        List<GroupRow> gs = new ArrayList<>();
        for (GroupRow g : groups) {
            long[] a = acc.getOrDefault(g.name(), new long[3]);
            gs.add(new GroupRow(g.name(), g.options(), g.convs(), g.filtersBefore(), (int) a[0], g.prunableFilters(),
                    g.paramsBefore(), a[1], g.bflopsBefore(), a[2] / 1e9));
        }
        Totals t = new Totals(total.convs(), total.filtersBefore(), fAfter, before.totalParams(), after.totalParams(),
                before.totalFlops() / 1e9, after.totalFlops() / 1e9,
                1 - (double) after.totalParams() / before.totalParams(),
                1 - (double) after.totalFlops() / before.totalFlops(), total.inputWidth(), total.inputHeight());
        List<BlockRow> bs = new ArrayList<>();
        for (var b : removed) {
            long params = 0;
            long flops = 0;
            for (int l : b.removedLayers()) {
                params += channelPruned.params(l);
                flops += channelPruned.flops(l);
            }
            bs.add(new BlockRow(b.shortcut(), b.input() + 1, b.shortcut(), b.importance(), params, flops / 1e9));
        }
        return new PruneReport(rule, target, rows, gs, t, keptWhole, List.copyOf(bs));
    }

    /**
     * What compression did to a model, known only from the network before and after (no plan, no groups): per layer
     * and in total, every layer in one group "all". Used to show the kept channels of a compressed model next to
     * the model it came from.
     *
     * @throws IllegalArgumentException when the two networks differ in more than channel counts (layer count,
     *                                  types, connections or feature-map sizes)
     */
    public static PruneReport between(NetworkSpec before, NetworkSpec after) {
        String difference = topologyDifference(before, after);
        if (difference != null) {
            throw new IllegalArgumentException(difference);
        }
        List<LayerRow> rows = new ArrayList<>();
        int convs = 0;
        int fBefore = 0;
        int fAfter = 0;
        for (int l = 0; l < before.size(); l++) {
            rows.add(new LayerRow(l, before.layer(l).section(), "all", before.shapeOf(l).channels(),
                    after.shapeOf(l).channels(), before.params(l), after.params(l), before.flops(l) / 1e9,
                    after.flops(l) / 1e9));
            if (before.layer(l) instanceof ConvLayer c) {
                convs++;
                fBefore += c.filters();
                fAfter += after.conv(l).filters();
            }
        }
        Totals total = new Totals(convs, fBefore, fAfter, before.totalParams(), after.totalParams(),
                before.totalFlops() / 1e9, after.totalFlops() / 1e9,
                1 - (double) after.totalParams() / before.totalParams(),
                1 - (double) after.totalFlops() / before.totalFlops(), before.net().width(), before.net().height());
        GroupRow all = new GroupRow("all", "compared with the uncompressed model", convs, fBefore, fAfter, 0,
                before.totalParams(), after.totalParams(), before.totalFlops() / 1e9, after.totalFlops() / 1e9);
        return new PruneReport("unknown", null, rows, List.of(all), total, List.of(), List.of());
    }

    /**
     * Null when {@code after} can be {@code before} with channels removed (same layers, types, connections and
     * feature-map sizes), else what differs first.
     */
    public static String topologyDifference(NetworkSpec before, NetworkSpec after) {
        if (before.size() != after.size()) {
            return "the networks have " + before.size() + " and " + after.size() + " layers";
        }
        for (int l = 0; l < before.size(); l++) {
            var a = before.layer(l);
            var b = after.layer(l);
            if (!a.section().equals(b.section()) || !before.inputsOf(l).equals(after.inputsOf(l))
                    || before.shapeOf(l).height() != after.shapeOf(l).height()
                    || before.shapeOf(l).width() != after.shapeOf(l).width()) {
                return "the networks differ at layer " + l + ": " + a.section() + " " + before.shapeOf(l) + " vs "
                        + b.section() + " " + after.shapeOf(l);
            }
        }
        return null;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String toMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Pruning report\n\n");
        b.append(String.format(Locale.ROOT, "Input %dx%d, rule `%s`.%s%n%n", total.inputWidth(), total.inputHeight(),
                rule, target == null ? "" : String.format(Locale.ROOT,
                        " Target: remove %.1f%% of %s; reached %.1f%% at %s %.4g%s.", 100 * target.fraction(),
                        target.metric(), 100 * target.achieved(), target.allocation().equals("threshold")
                                ? "|γ| threshold" : "quantile", target.level(), target.met() ? "" : " (NOT met)")));
        b.append("| | filters | params | BFLOPs |\n|---|---:|---:|---:|\n");
        b.append(String.format(Locale.ROOT, "| before | %,d | %,d | %.3f |%n", total.filtersBefore(),
                total.paramsBefore(), total.bflopsBefore()));
        b.append(String.format(Locale.ROOT, "| after | %,d | %,d | %.3f |%n", total.filtersAfter(),
                total.paramsAfter(), total.bflopsAfter()));
        b.append(String.format(Locale.ROOT, "| removed | %.1f%% | %.1f%% | %.1f%% |%n%n",
                100.0 * (total.filtersBefore() - total.filtersAfter()) / total.filtersBefore(),
                100 * total.paramsRemovedFraction(), 100 * total.flopsRemovedFraction()));
        if (!blocks.isEmpty()) {
            b.append("## Removed residual blocks\n\nRanked by the mean |γ| of the branch's last batch norm; "
                    + "layer indices are the input network's.\n\n| shortcut | layers | mean abs γ | params | BFLOPs |\n")
                    .append("|---:|---|---:|---:|---:|\n");
            for (BlockRow r : blocks) {
                b.append(String.format(Locale.ROOT, "| %d | %d-%d | %.4g | %,d | %.3f |%n", r.shortcut(),
                        r.firstLayer(), r.lastLayer(), r.importance(), r.params(), r.bflops()));
            }
            b.append('\n');
        }
        b.append("## Groups\n\n| group | options | convs | filters | prunable | params | BFLOPs |\n")
                .append("|---|---|---:|---:|---:|---:|---:|\n");
        for (GroupRow g : groups) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %d → %d | %d | %,d → %,d | %.3f → %.3f |%n",
                    g.name(), g.options(), g.convs(), g.filtersBefore(), g.filtersAfter(), g.prunableFilters(),
                    g.paramsBefore(), g.paramsAfter(), g.bflopsBefore(), g.bflopsAfter()));
        }
        if (!keptWhole.isEmpty()) {
            b.append("\n## Kept whole\n\n| convolutions | why |\n|---|---|\n");
            for (KeptSet k : keptWhole) {
                b.append("| ").append(k.convs().stream().map(String::valueOf).reduce((x, y) -> x + ", " + y).orElse(""))
                        .append(" | ").append(String.join("; ", k.reasons())).append(" |\n");
            }
        }
        b.append("\n## Layers\n\n| layer | type | group | channels | params | BFLOPs |\n")
                .append("|---:|---|---|---:|---:|---:|\n");
        for (LayerRow r : layers) {
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %d → %d | %,d → %,d | %.3f → %.3f |%n", r.index(),
                    r.type(), r.group(), r.filtersBefore(), r.filtersAfter(), r.paramsBefore(), r.paramsAfter(),
                    r.bflopsBefore(), r.bflopsAfter()));
        }
        return b.toString();
    }

    /** Bar chart of filters per convolution, before (light) and after (dark), as PNG bytes. */
    public byte[] keptChannelsPng() throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> x = new ArrayList<>();
        List<Integer> beforeY = new ArrayList<>();
        List<Integer> afterY = new ArrayList<>();
        for (LayerRow r : layers) {
            if (r.type().equals("convolutional")) {
                x.add(String.valueOf(r.index()));
                beforeY.add(r.filtersBefore());
                afterY.add(r.filtersAfter());
            }
        }
        if (x.isEmpty()) {
            x.add("-");
            beforeY.add(0);
            afterY.add(0);
        }
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(800, 200 + 12 * x.size())).height(500)
                .title(String.format(Locale.ROOT, "Filters per convolution: %,d -> %,d (params -%.1f%%, FLOPs -%.1f%%)",
                        total.filtersBefore(), total.filtersAfter(), 100 * total.paramsRemovedFraction(),
                        100 * total.flopsRemovedFraction()))
                .xAxisTitle("convolution layer").yAxisTitle("filters").build();
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.addSeries("before", x, beforeY).setFillColor(new java.awt.Color(190, 200, 220));
        chart.addSeries("kept", x, afterY).setFillColor(new java.awt.Color(40, 80, 160));
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /** Writes prune-report.json, prune-report.md and kept-channels.png into {@code dir}, each atomically. */
    public void writeTo(Path dir) throws IOException {
        byte[] png = keptChannelsPng();
        String json = toJson();
        String md = toMarkdown();
        AtomicFiles.writeString(dir.resolve("prune-report.json"), json);
        AtomicFiles.writeString(dir.resolve("prune-report.md"), md);
        AtomicFiles.writeBytes(dir.resolve("kept-channels.png"), png);
    }
}
