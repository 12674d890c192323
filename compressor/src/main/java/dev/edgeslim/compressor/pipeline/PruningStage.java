package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.compressor.blocks.BlockSurgeon;
import dev.edgeslim.compressor.blocks.ResidualBlock;
import dev.edgeslim.compressor.blocks.ResidualBlocks;
import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.prune.AutoGroups;
import dev.edgeslim.compressor.prune.GroupFile;
import dev.edgeslim.compressor.prune.GroupPlanner;
import dev.edgeslim.compressor.prune.ModelSurgeon;
import dev.edgeslim.compressor.prune.PruneGroup;
import dev.edgeslim.compressor.prune.PruneReport;
import dev.edgeslim.compressor.prune.PrunedNetwork;
import dev.edgeslim.compressor.prune.PruningPlan;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Stage 2: group channel pruning of a model by BN |γ|, then, when configured, removal of the least important
 * residual blocks ({@link ResidualBlocks}, {@link BlockSurgeon}). Writes {@code pruned.cfg}, {@code pruned.weights},
 * {@code plan.json}, {@code prune-report.json} / {@code .md} and {@code kept-channels.png}; the whole result is
 * computed before the first file is written, and each file is written atomically.
 */
public final class PruningStage {
    public static final String CFG = "pruned.cfg";
    public static final String WEIGHTS = "pruned.weights";
    public static final List<String> FILES = List.of(CFG, WEIGHTS, "plan.json", "prune-report.json",
            "prune-report.md", "kept-channels.png");

    private final Path cfg;
    private final Path weights;
    private final PruningConfig config;
    private final dev.edgeslim.detector.data.VocClasses classes;

    public PruningStage(Path cfg, Path weights, PruningConfig config) {
        this(cfg, weights, config, null);
    }

    private PruningStage(Path cfg, Path weights, PruningConfig config, dev.edgeslim.detector.data.VocClasses classes) {
        this.cfg = cfg;
        this.weights = weights;
        this.config = config;
        this.classes = classes;
    }

    /**
     * The model's class names, kept beside the pruned model ({@code classes.names}; pruning keeps every class, so
     * the names travel on to fine-tuning and export). Without them the {@code classes.names} recorded beside the
     * input weights or cfg is kept, if there is one.
     */
    public PruningStage withClasses(dev.edgeslim.detector.data.VocClasses names) {
        return new PruningStage(cfg, weights, config, names);
    }

    /** The report of what was removed; {@code target} is the search's outcome for a TARGET_* criterion, else null. */
    public record Result(PruneReport report, GroupPlanner.TargetResult target, DarknetModel pruned) {
        /** A target the floors did not let the search reach (the most reachable was written). */
        public boolean targetMissed() {
            return target != null && !target.met();
        }
    }

    /**
     * Prunes into {@code out}: a non-empty folder needs {@code force}, which replaces this stage's files and
     * leaves anything else alone.
     */
    public Result run(Path out, boolean force) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException(out, "exists and is not a directory");
        }
        OutputFolder.check(out, force, false, false);
        DarknetModel model = DarknetModel.load(cfg, weights);
        NetworkSpec spec = model.spec();
        List<PruneGroup> groups = config.groups() == null ? AutoGroups.groups(spec, config.groupDefaults())
                : GroupFile.read(config.groups(), spec, config.groupDefaults());
        ChannelGraph graph = ChannelGraph.of(spec);
        if (graph.whyNothingIsPrunable() != null) {
            // writing an unpruned copy would look like success; say why nothing qualifies instead
            throw new BadInputException(cfg, "no channel of this network can be pruned: "
                    + graph.whyNothingIsPrunable());
        }
        List<ResidualBlock> blocks;
        try {
            // ranked on the input's γ; channel pruning keeps layer indices, so the blocks stay where they were
            blocks = ResidualBlocks.leastImportant(spec, model.weights(), config.blocks());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(cfg, e.getMessage());
        }
        GroupPlanner planner = new GroupPlanner(graph, groups, config.rule());
        GroupPlanner.TargetResult target = null;
        PruningPlan plan;
        if (config.isTarget()) {
            if (groups.stream().allMatch(g -> g.options().weight() == 0)) {
                throw new BadInputException(config.groups(), "every group has weight=0, so no target can be reached");
            }
            target = planner.searchTarget(model.weights(), config.goals(), config.allocation());
            plan = target.plan();
        } else {
            plan = planner.plan(model.weights());
        }
        PrunedNetwork channelPruned = ModelSurgeon.prune(planner.graph(), model.weights(), plan);
        PruneReport report = PruneReport.of(spec, channelPruned.spec(), planner, target);
        PrunedNetwork pruned = channelPruned;
        if (!blocks.isEmpty()) {
            BlockSurgeon.Result removal = BlockSurgeon.remove(channelPruned.spec(), channelPruned.weights(), blocks);
            pruned = removal.network();
            report = report.withBlocks(spec, channelPruned.spec(), blocks, removal.newIndex(), pruned.spec());
        }
        String planJson = plan.toJson();
        byte[] png = report.keptChannelsPng();
        String reportJson = report.toJson();
        String reportMd = report.toMarkdown();

        dev.edgeslim.detector.data.VocClasses names = classes != null ? classes : recordedClasses();
        if (names != null && names.size() != spec.classes()) {
            throw new BadInputException(cfg, "the model has " + spec.classes() + " classes but " + names.size()
                    + " class names were given");
        }
        java.util.Set<String> own = new java.util.HashSet<>(FILES);
        own.add(dev.edgeslim.detector.data.VocClasses.FILE_NAME); // written when the model's class names are known
        OutputFolder.prepare(out, force, false, own);
        if (names != null) {
            names.write(out.resolve(dev.edgeslim.detector.data.VocClasses.FILE_NAME));
        }
        DarknetModel result = new DarknetModel(pruned.spec(), pruned.weights());
        result.write(out.resolve(CFG), out.resolve(WEIGHTS));
        AtomicFiles.writeString(out.resolve("plan.json"), planJson);
        AtomicFiles.writeString(out.resolve("prune-report.json"), reportJson);
        AtomicFiles.writeString(out.resolve("prune-report.md"), reportMd);
        AtomicFiles.writeBytes(out.resolve("kept-channels.png"), png);
        return new Result(report, target, result);
    }

    /** {@code classes.names} beside the input weights, else beside its cfg; null when neither has one. */
    private dev.edgeslim.detector.data.VocClasses recordedClasses() {
        for (Path model : new Path[]{weights, cfg}) {
            Path folder = model == null ? null : model.toAbsolutePath().getParent();
            Path names = folder == null ? null : folder.resolve(dev.edgeslim.detector.data.VocClasses.FILE_NAME);
            if (names != null && Files.isRegularFile(names)) {
                return dev.edgeslim.detector.data.VocClasses.load(names);
            }
        }
        return null;
    }
}
