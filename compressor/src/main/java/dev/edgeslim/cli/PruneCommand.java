package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.compressor.pipeline.PruningConfig;
import dev.edgeslim.compressor.pipeline.PruningStage;
import dev.edgeslim.compressor.prune.AutoGroups;
import dev.edgeslim.compressor.prune.GroupFile;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.prune.GroupPlanner;
import dev.edgeslim.compressor.prune.PruneReport;
import dev.edgeslim.compressor.prune.PruningPlan;
import dev.edgeslim.compressor.prune.TargetAllocation;
import dev.edgeslim.compressor.prune.TargetMetric;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code edgeslim prune}: group channel pruning of a darknet model by BN |γ| ({@link PruningStage}). Writes into {@code --out}:
 * pruned.cfg, pruned.weights, plan.json ({@link PruningPlan}), prune-report.json / prune-report.md
 * ({@link PruneReport}) and kept-channels.png. Every flag and input file is checked, and the whole result
 * computed, before the first file is written; each file is written atomically. A non-empty {@code --out} is refused
 * unless {@code --force}, which replaces these files and leaves anything else in the folder alone.
 *
 * <p>Exactly one criterion: {@code --ratio R} (remove the lowest-|γ| fraction R of each group's prunable channels,
 * R in [0,1)), {@code --percentile P} (remove channels below the P-th percentile of each group's |γ|), or a
 * global target {@code --target-params F} / {@code --target-flops F} (remove at least the fraction F of params /
 * FLOPs, found by bisection on one level shared by all groups, {@code --allocation}: a common |γ| threshold
 * (default) or a common quantile, see {@link TargetAllocation}; if unreachable, the most that is reachable is
 * written and a warning printed). Groups are automatic ({@link AutoGroups}) unless {@code --groups FILE} ({@link GroupFile})
 * is given; the command-line options are the defaults for every group.
 *
 * <p>{@code --json} prints: {@code cfg, weights, out, files[], rule, target{metric, fraction, allocation,
 * level, achieved, met} (or null), total{convs, filtersBefore, filtersAfter, paramsBefore, paramsAfter, bflopsBefore,
 * bflopsAfter, paramsRemovedFraction, flopsRemovedFraction, inputWidth, inputHeight}, groups[{name, options,
 * convs, filtersBefore, filtersAfter, prunableFilters, paramsBefore, paramsAfter, bflopsBefore, bflopsAfter}], blocks[{shortcut, firstLayer, lastLayer, importance, params, bflops}]}.
 *
 * <p>{@code --prune-blocks N} also removes the N least important residual blocks after channel pruning
 * ({@link dev.edgeslim.compressor.blocks.ResidualBlocks}); a target counts channel pruning only.
 */
public final class PruneCommand implements Command {
    static final List<String> FILES = PruningStage.FILES;

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public String summary() {
        return "group channel pruning by BN |gamma|: pruned cfg + weights, plan and report";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim prune --cfg C --weights W --out DIR "
                + "(--ratio R | --percentile P | --target-params F | --target-flops F) [options]")
                .required("cfg", "FILE", "darknet .cfg")
                .required("weights", "FILE", "darknet .weights matching the cfg")
                .required("out", "DIR", "output folder (created; a non-empty one needs --force)")
                .flag("force", "replace prune's own files in a non-empty output folder (other files stay)")
                .value("groups", "FILE", "group definition file (default: automatic groups)")
                .value("names", "FILE", "class names, darknet .names, kept beside the pruned model (default: the "
                        + "model's " + dev.edgeslim.detector.data.VocClasses.FILE_NAME + " if it has one)")
                .value("ratio", "R", "remove the lowest-|gamma| fraction R of each group, 0 <= R < 1")
                .value("percentile", "P", "remove channels below the P-th percentile of each group's |gamma|, 0 <= P < 100")
                .value("target-params", "F", "remove at least the fraction F of parameters, 0 < F < 1")
                .value("target-flops", "F", "remove at least the fraction F of FLOPs, 0 < F < 1 (with "
                        + "--target-params: meet both)")
                .value("allocation", "A", "how a target is shared among groups: threshold (default; one |gamma| "
                        + "threshold, sparse groups lose more) or quantile (the same share of every group)")
                .value("rule", "RULE", "how coupled layers agree: union (default), majority, intersection")
                .value("floor-k", "K", "keep at least K channels per layer (default " + GroupOptions.DEFAULT_FLOOR_K + ")")
                .value("floor-percent", "P", "keep at least P% of each layer's channels (default "
                        + (int) GroupOptions.DEFAULT_FLOOR_PERCENT + ")")
                .flag("round8", "round kept channel counts up to multiples of 8")
                .value("prune-blocks", "N", StageFlags.PRUNE_BLOCKS_HELP)
                .flag("json", "print the summary as JSON");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        // 1. every flag, before any file is read
        Path cfgFile = p.requiredPath("cfg");
        Path weightsFile = p.requiredPath("weights");
        Path outDir = p.requiredPath("out");
        List<String> criteria = List.of("ratio", "percentile", "target-params", "target-flops");
        List<String> given = criteria.stream().filter(p::has).toList();
        boolean bothTargets = given.equals(List.of("target-params", "target-flops"));
        if (given.size() != 1 && !bothTargets) {
            throw new UsageException(given.isEmpty()
                    ? "choose one of --ratio, --percentile, --target-params, --target-flops (see --help)"
                    : "--" + given.get(0) + " and --" + given.get(1) + " cannot be combined");
        }
        String criterion = given.get(0);
        double amount = halfOpen(p, criterion);
        PruningConfig config = StageFlags.pruningOptions(p, switch (criterion) {
            case "ratio" -> PruningConfig.ratio(amount);
            case "percentile" -> PruningConfig.percentile(amount);
            case "target-params" -> bothTargets
                    ? PruningConfig.targetParams(amount).withAlsoFlops(halfOpen(p, "target-flops"))
                    : PruningConfig.targetParams(amount);
            default -> PruningConfig.targetFlops(amount);
        });
        PruningStage.Result result = new PruningStage(cfgFile, weightsFile, config)
                .withClasses(p.has("names") ? dev.edgeslim.detector.data.VocClasses.load(p.path("names")) : null)
                .run(outDir, p.has("force"));
        PruneReport report = result.report();
        GroupPlanner.TargetResult target = result.target();
        if (target != null && !target.met()) {
            err.printf(Locale.ROOT, "edgeslim prune: warning: could not remove %.1f%% of %s%s; the floors allow at "
                    + "most %.1f%% of %s, which was written%n", 100 * amount, metric(target),
                    bothTargets ? " and " + p.string("target-flops", "") + " of FLOPs" : "",
                    100 * target.achieved(), metric(target));
        }
        if (p.has("json")) {
            out.println(Json.write(toJson(cfgFile, weightsFile, outDir, report)));
        } else {
            print(out, cfgFile, outDir, report);
        }
        return OK;
    }

    private static String metric(GroupPlanner.TargetResult t) {
        return t.metric() == TargetMetric.PARAMS ? "parameters" : "FLOPs";
    }

    /** Reads a criterion value: ratio and target in [0,1) (targets exclude 0), percentile in [0,100). */
    private static double halfOpen(CliOptions.Parsed p, String name) {
        double max = name.equals("percentile") ? 100 : 1;
        double v = p.number(name, Double.NaN, 0, max);
        if (v == max || (name.startsWith("target-") && v == 0)) {
            throw new UsageException("--" + name + " must be within " + (name.startsWith("target-") ? "(0," : "[0,")
                    + (name.equals("percentile") ? "100)" : "1)") + ", got " + p.string(name, ""));
        }
        return v;
    }

    private static ObjectNode toJson(Path cfg, Path weights, Path outDir, PruneReport report) {
        ObjectNode root = Json.object();
        root.put("cfg", cfg.toString());
        root.put("weights", weights.toString());
        root.put("out", outDir.toString());
        ArrayNode files = root.putArray("files");
        FILES.forEach(f -> files.add(outDir.resolve(f).toString()));
        root.put("rule", report.rule());
        root.set("target", Json.MAPPER.valueToTree(report.target()));
        root.set("total", Json.MAPPER.valueToTree(report.total()));
        root.set("groups", Json.MAPPER.valueToTree(report.groups()));
        root.set("blocks", Json.MAPPER.valueToTree(report.blocks()));
        return root;
    }

    private static void print(PrintStream out, Path cfg, Path outDir, PruneReport report) {
        PruneReport.Totals t = report.total();
        out.printf(Locale.ROOT, "%-14s %-44s %14s %14s%n", "group", "options", "filters", "params");
        for (PruneReport.GroupRow g : report.groups()) {
            out.printf(Locale.ROOT, "%-14s %-44s %6d -> %-6d %6.2fM -> %.2fM%n", g.name(), g.options(),
                    g.filtersBefore(), g.filtersAfter(), g.paramsBefore() / 1e6, g.paramsAfter() / 1e6);
        }
        if (report.target() != null) {
            out.printf(Locale.ROOT, "target: remove %.1f%% of %s -> removed %.1f%% (%s %.4g)%n",
                    100 * report.target().fraction(), report.target().metric(), 100 * report.target().achieved(),
                    report.target().allocation().equals("threshold") ? "|gamma| threshold" : "quantile",
                    report.target().level());
        }
        out.printf(Locale.ROOT, "%s (%dx%d), rule %s: params %,d -> %,d (-%.1f%%), BFLOPs %.3f -> %.3f (-%.1f%%), "
                        + "filters %,d -> %,d%n", cfg.getFileName(), t.inputWidth(), t.inputHeight(), report.rule(),
                t.paramsBefore(), t.paramsAfter(), 100 * t.paramsRemovedFraction(), t.bflopsBefore(), t.bflopsAfter(),
                100 * t.flopsRemovedFraction(), t.filtersBefore(), t.filtersAfter());
        for (PruneReport.BlockRow b : report.blocks()) {
            out.printf(Locale.ROOT, "removed residual block: shortcut %d (layers %d-%d), mean |gamma| %.4g, %.2fM params%n",
                    b.shortcut(), b.firstLayer(), b.lastLayer(), b.importance(), b.params() / 1e6);
        }
        out.println("wrote " + String.join(", ", FILES) + " to " + outDir);
    }
}
