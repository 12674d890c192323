package dev.edgeslim.compressor.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.compressor.distill.DistillationPairs;
import dev.edgeslim.compressor.blocks.ResidualBlock;
import dev.edgeslim.compressor.blocks.ResidualBlocks;
import dev.edgeslim.compressor.distill.LayerPair;
import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.prune.GroupFile;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.prune.TargetMetric;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.CheckpointStore;
import dev.edgeslim.detector.train.RunFolder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Compression of a trained model in one resumable run: sparse training, group pruning and distillation fine-tuning
 * (from the input model as teacher), each in its folder of the run ({@link CompressRunFolder}), then
 * {@code report.md} / {@code report.json} comparing the input, the sparse model, the pruned model before
 * fine-tuning and the final model. {@code manifest.json} records the inputs (with SHA-256) and the typed
 * configuration of the run and of every finished stage: running again skips finished stages and the finished
 * report, and resumes an interrupted training stage from its last checkpoint, giving the same result as an
 * uninterrupted run.
 */
public final class CompressionPipeline {
    /** The report's manifest entry: a finished run re-run prints its report instead of measuring it again. */
    public static final String REPORT = "report";
    /** Every entry a run writes into its folder. */
    public static final Set<String> OWN = Set.of(CompressRunFolder.SPARSE, CompressRunFolder.PRUNE,
            CompressRunFolder.DISTILL, CompressRunFolder.ABLATION, PipelineManifest.FILE, "report.md", "report.json");
    /** The stage whose outputs each stage reads: redoing it makes the reader stale too. */
    private static final Map<String, String> UPSTREAM = Map.of(CompressRunFolder.PRUNE, CompressRunFolder.SPARSE,
            CompressRunFolder.DISTILL, CompressRunFolder.PRUNE, CompressRunFolder.ABLATION, CompressRunFolder.PRUNE);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The model to compress (also the distillation teacher) and its VOCdevkit. */
    public record Inputs(Path cfg, Path weights, Path data) {
    }

    /** What a folder holding a run with other options gets. */
    public enum Existing {
        /** Refused, naming the stages the new options change. */
        REFUSE,
        /** Only the stages the new options change (and those reading their outputs) are redone. */
        RERUN_CHANGED,
        /** EdgeSlim's files in the folder are replaced; other files stay. */
        REPLACE
    }

    /** The finished run: its folder and the report's rows (input first, final model last). */
    public record Result(CompressRunFolder folder, List<ModelSummary> report, Path reportFile) {
        /** The compressed model. */
        public DarknetModel model() {
            return DarknetModel.load(folder.finalCfg(), folder.finalWeights());
        }
    }

    private final Inputs inputs;
    private final CompressionConfig config;

    public CompressionPipeline(Inputs inputs, CompressionConfig config) {
        this.inputs = inputs;
        this.config = config;
    }

    /** Runs (or continues) the compression into {@code out}, logging stage headings to standard error. */
    public Result run(Path out) throws IOException {
        return run(out, Existing.REFUSE, System.err, null);
    }

    /**
     * Runs (or continues) the compression into {@code out}. Every input is checked before the folder or its manifest
     * is written.
     *
     * @param log      where stage headings go
     * @param progress where training progress bars go, or null for none
     */
    public Result run(Path out, Existing existing, PrintStream log, PrintStream progress) throws IOException {
        NetworkSpec spec = check();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException(out, "output path exists and is not a folder");
        }
        if (existing == Existing.REPLACE) {
            OutputFolder.prepare(out, true, false, OWN);
        } else if (Files.isDirectory(out) && !Files.exists(out.resolve(PipelineManifest.FILE)) && !isEmpty(out)) {
            throw new BadInputException(out, "output folder is not empty and holds no compress run (no "
                    + PipelineManifest.FILE + "); use another --out, or --force to add a run to it");
        }
        Files.createDirectories(out);

        Path sparse = out.resolve(CompressRunFolder.SPARSE);
        Path prune = out.resolve(CompressRunFolder.PRUNE);
        Path distill = out.resolve(CompressRunFolder.DISTILL);
        Path plain = out.resolve(CompressRunFolder.ABLATION);
        RunFolder sparseRun = new RunFolder(sparse);
        DistillationConfig ablationConfig = config.distillation().plainFineTuning();
        List<Stage> stages = new ArrayList<>();
        stages.add(new Stage(CompressRunFolder.SPARSE, "sparse training", config.sparse(), true, Map.of("weights",
                sparseRun.weights().toString()), (dir, resume) -> new SparseTrainingStage(inputs.cfg(),
                inputs.weights(), inputs.data(), config.sparse()).reportingData(log).run(dir, false, resume, progress)));
        stages.add(new Stage(CompressRunFolder.PRUNE, "group pruning", config.pruning(), false,
                Map.of("cfg", prune.resolve(PruningStage.CFG).toString()),
                // the stage folder is the pipeline's own: an interrupted attempt may have left files in it
                (dir, resume) -> {
                    PruningStage.Result pruned = new PruningStage(sparseRun.cfg(), sparseRun.weights(),
                            config.pruning()).run(dir, true);
                    if (pruned.targetMissed()) {
                        log.printf(Locale.ROOT, "warning: could not remove %.1f%% of the %s; the floors allow at "
                                + "most %.1f%%, which was written%n", 100 * config.pruning().amount(),
                                pruned.target().metric() == TargetMetric.PARAMS ? "parameters" : "FLOPs",
                                100 * pruned.target().achieved());
                    }
                }));
        stages.add(new Stage(CompressRunFolder.DISTILL, "distillation fine-tuning", config.distillation(), true,
                Map.of("weights", new RunFolder(distill).weights().toString()), (dir, resume) -> fineTune(prune,
                config.distillation()).reportingData(log).run(dir, false, resume, progress)));

        Map<String, Path> recordedInputs = new LinkedHashMap<>();
        recordedInputs.put("cfg", inputs.cfg().toAbsolutePath());
        recordedInputs.put("weights", inputs.weights().toAbsolutePath());
        recordedInputs.put("data", inputs.data().toAbsolutePath());
        // hashed: a group or layer file edited in place makes another run
        if (config.pruning().groups() != null) {
            recordedInputs.put("groups", config.pruning().groups().toAbsolutePath());
        }
        if (config.distillation().layersFile() != null) {
            recordedInputs.put("layers-file", config.distillation().layersFile().toAbsolutePath());
        }
        JsonNode options = identity();
        PipelineManifest manifest = PipelineManifest.open(out, recordedInputs, options, true);
        // once a run has its ablation it keeps one: redone with the stages it reads when those change
        if (config.ablation() || manifest.done(CompressRunFolder.ABLATION)) {
            stages.add(new Stage(CompressRunFolder.ABLATION, "ablation: plain fine-tuning", ablationConfig, true,
                    Map.of("weights", new RunFolder(plain).weights().toString()),
                    (dir, resume) -> fineTune(prune, ablationConfig).reportingData(log).run(dir, false, resume, progress)));
        }
        Map<String, JsonNode> planned = new LinkedHashMap<>();
        for (Stage s : stages) {
            planned.put(s.folder(), json(s.config()));
        }
        if (!manifest.options().equals(options)) {
            List<String> stale = manifest.staleStages(planned, UPSTREAM);
            if (existing != Existing.RERUN_CHANGED) {
                throw new BadInputException(out.resolve(PipelineManifest.FILE), "this folder holds a compress run "
                        + "with other options" + (stale.isEmpty() ? " (they change only the report)"
                        : " (they change " + String.join(", ", stale) + ")") + "; use another --out, --rerun-changed "
                        + "to redo just that, or --force to replace it");
            }
            // a stage to redo, or one never finished (its checkpoint may come from the old options), starts afresh
            List<String> redo = new ArrayList<>();
            for (String stage : planned.keySet()) {
                if (stale.contains(stage) || !manifest.done(stage)) {
                    OutputFolder.deleteTree(out.resolve(stage));
                    manifest.forget(stage);
                    redo.add(stage);
                }
            }
            manifest.forget(REPORT);
            manifest.adoptOptions(options);
            log.println("== options changed: " + (redo.isEmpty() ? "only the report is made again"
                    : "redoing " + String.join(", ", redo)));
        }
        for (Stage s : stages) {
            if (manifest.done(s.folder())) {
                skipped(log, s.title());
                continue;
            }
            Path dir = out.resolve(s.folder());
            boolean resume = s.trains() && Files.isDirectory(dir);
            if (resume) {
                boolean checkpoint = new CheckpointStore(new RunFolder(dir).checkpoints()).exists();
                log.println("== " + s.title() + ": resuming " + (checkpoint ? "from its last checkpoint"
                        : "(no checkpoint yet)"));
            } else {
                log.println("== " + s.title());
            }
            s.body().run(dir, resume);
            manifest.markDone(s.folder(), s.results(), planned.get(s.folder()));
        }
        boolean withAblation = manifest.done(CompressRunFolder.ABLATION); // this run's, or one an earlier run added
        CompressRunFolder folder = CompressRunFolder.open(out);
        Path reportMd = out.resolve("report.md");
        boolean reportHasAblation = "true".equals(manifest.result(REPORT, "ablation"));
        if (manifest.done(REPORT) && Files.isRegularFile(reportMd) && (reportHasAblation || !withAblation)) {
            // every number in it was measured on files that have not changed since
            skipped(log, "report");
            return new Result(folder, CompressionReport.read(out), reportMd);
        }
        log.println("== report");
        List<ModelSummary.Candidate> candidates = new ArrayList<>();
        candidates.add(new ModelSummary.Candidate("input", inputs.cfg(), inputs.weights()));
        candidates.add(new ModelSummary.Candidate("sparse", sparseRun.cfg(), sparseRun.weights()));
        candidates.add(new ModelSummary.Candidate("pruned (before fine-tuning)", prune.resolve(PruningStage.CFG),
                prune.resolve(PruningStage.WEIGHTS)));
        if (withAblation) {
            RunFolder ablation = new RunFolder(plain);
            candidates.add(new ModelSummary.Candidate("pruned + plain fine-tuning (ablation)", ablation.cfg(),
                    ablation.weights()));
        }
        candidates.add(new ModelSummary.Candidate(config.distillation().distills() ? "pruned + distilled"
                : "pruned + fine-tuned", folder.finalCfg(), folder.finalWeights()));
        ReportSettings report = config.report();
        List<ModelSummary> rows = ModelSummary.measure(candidates, inputs.data(), report.evalSplit(),
                config.sparse().training().classes(), report.threads(),
                report.latencyRuns());
        CompressionReport.write(out, "EdgeSlim compression report", rows, stageFiles(out), Map.of("options", options));
        manifest.markDone(REPORT, Map.of("md", reportMd.toString(), "ablation", withAblation));
        return new Result(folder, rows, reportMd);
    }

    /**
     * Checks every input and every configured file against the model before anything is written, so a run never
     * stops at stage 2 or 3 over a bad file after hours of stage 1; returns the input network.
     */
    private NetworkSpec check() {
        for (Path file : List.of(inputs.cfg(), inputs.weights())) {
            if (!Files.isRegularFile(file)) {
                throw new BadInputException(file, "no such file");
            }
        }
        if (!Files.isDirectory(inputs.data())) {
            throw new BadInputException(inputs.data(), "no such folder (expected a VOCdevkit root)");
        }
        NetworkSpec spec = DarknetModel.load(inputs.cfg(), inputs.weights()).spec();
        String nothing = ChannelGraph.of(spec).whyNothingIsPrunable();
        if (nothing != null) {
            throw new BadInputException(inputs.cfg(), "no channel of this network can be pruned: " + nothing);
        }
        // the group file and the distillation layers refer to the input's layer indices, which pruning keeps
        Path groups = config.pruning().groups();
        if (groups != null) {
            if (!Files.isRegularFile(groups)) {
                throw new BadInputException(groups, "no such file");
            }
            GroupFile.read(groups, spec, GroupOptions.ratio(0));
        }
        String tooManyBlocks = ResidualBlocks.whyNotRemovable(spec, config.pruning().blocks());
        if (tooManyBlocks != null) {
            throw new BadInputException(inputs.cfg(), tooManyBlocks);
        }
        DistillationConfig d = config.distillation();
        if (d.layers() != null || d.layersFile() != null) {
            List<LayerPair> pairs = DistillationStage.pairs(d.withAttentionWeight(1), spec);
            DistillationPairs.checkPairs(spec, pairs, DistillationStage.pairSource(d, ""));
            if (config.pruning().blocks() > 0) {
                // which blocks go is known only after sparse training; a layer any of them holds may vanish
                for (LayerPair p : pairs) {
                    for (ResidualBlock b : ResidualBlocks.locate(spec)) {
                        if (b.removedLayers().contains(p.teacherLayer())) {
                            throw new BadInputException(DistillationStage.pairSource(d, ""), "distillation layer "
                                    + p.teacherLayer() + " is in residual block " + b + ", which --prune-blocks may "
                                    + "remove");
                        }
                    }
                }
            }
        }
        return spec;
    }

    /** The run's identity in the manifest: every setting but the ablation, which only adds a stage beside them. */
    private JsonNode identity() throws IOException {
        ObjectNode node = (ObjectNode) json(config);
        node.remove("ablation");
        return node;
    }

    /** A configuration as the manifest holds it: through its text, so that it equals what is read back. */
    private static JsonNode json(Object configuration) throws IOException {
        return JSON.readTree(JSON.writeValueAsString(configuration));
    }

    /** Fine-tuning of the pruned model in {@code prune}, with the input model as teacher. */
    private DistillationStage fineTune(Path prune, DistillationConfig c) {
        return new DistillationStage(prune.resolve(PruningStage.CFG), prune.resolve(PruningStage.WEIGHTS),
                inputs.cfg(), inputs.weights(), inputs.data(), c);
    }

    /** The plots and stage reports a reader of report.md will want, those that exist, relative to the run folder. */
    private static List<CompressionReport.Link> stageFiles(Path outDir) throws IOException {
        String sparse = CompressRunFolder.SPARSE;
        String prune = CompressRunFolder.PRUNE;
        String distill = CompressRunFolder.DISTILL;
        String ablation = CompressRunFolder.ABLATION;
        List<CompressionReport.Link> links = new ArrayList<>();
        String[][] fixed = {
                {"sparse training curves (loss, lr, mAP)", sparse + "/" + RunFolder.CURVES},
                {"|γ| histogram before/after sparse training, all prunable layers", sparse + "/gamma/all.png"},
                {"γ statistics per epoch and group", sparse + "/gamma-stats.json"},
                {"sparse model PR curves", sparse + "/eval/sparse-pr.png"},
                {"kept channels per layer", prune + "/kept-channels.png"},
                {"pruning report (per-group thresholds and removed channels)", prune + "/prune-report.md"},
                {"distillation curves (detection and attention loss, lr, mAP)", distill + "/" + RunFolder.CURVES},
                {"distilled model PR curves", distill + "/eval/distill-pr.png"},
                {"ablation curves (plain fine-tuning)", ablation + "/" + RunFolder.CURVES},
                {"ablation PR curves", ablation + "/eval/finetune-pr.png"}};
        for (String[] f : fixed) {
            if (Files.isRegularFile(outDir.resolve(f[1]))) {
                links.add(new CompressionReport.Link(f[0], f[1]));
            }
        }
        Path gamma = outDir.resolve(sparse).resolve("gamma");
        if (Files.isDirectory(gamma)) {
            try (Stream<Path> s = Files.list(gamma)) {
                s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".png") && !n.equals("all.png")).sorted()
                        .forEach(n -> links.add(new CompressionReport.Link("|γ| histogram, group "
                                + n.substring(0, n.length() - 4), sparse + "/gamma/" + n)));
            }
        }
        return links;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void skipped(PrintStream log, String title) {
        log.println("== " + title + ": done, skipped");
    }

    /** What a stage does in its folder; {@code resume} continues an interrupted training stage. */
    private interface StageBody {
        void run(Path dir, boolean resume) throws IOException;
    }

    /**
     * A stage of the run: its folder (also its manifest key), its heading, the configuration that is its identity,
     * whether it trains (and so resumes), and the results the manifest records when it is done.
     */
    private record Stage(String folder, String title, Object config, boolean trains, Map<String, Object> results,
                         StageBody body) {
    }
}
