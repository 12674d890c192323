package dev.edgeslim.cli;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.pipeline.CompressRunFolder;
import dev.edgeslim.compressor.pipeline.CompressionReport;
import dev.edgeslim.compressor.pipeline.ModelSummary;
import dev.edgeslim.compressor.pipeline.PipelineManifest;
import dev.edgeslim.compressor.sparsity.SparsitySchedule;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.VocClasses;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.CheckpointStore;
import dev.edgeslim.detector.train.TrainingRun;
import dev.edgeslim.detector.weights.DarknetWeights;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code edgeslim compress}: the three stages in one resumable command. {@code OUT/1-sparse} (sparse training),
 * {@code OUT/2-prune} (group channel pruning), {@code OUT/3-distill} (attention-distillation fine-tuning from the
 * input model as teacher), then {@code OUT/report.md} / {@code report.json} comparing the input, the sparse model,
 * the pruned model before fine-tuning and the final model (mAP in both VOC conventions, params, BFLOPs, size, TF
 * Java latency measured in this run). {@code OUT/manifest.json} records inputs (with SHA-256) and options: running
 * the same command again skips finished stages (and a finished report) and resumes an interrupted training stage
 * from its last checkpoint (saved every epoch), giving the same result as an uninterrupted run; a folder holding
 * another run (other inputs or options), or files that are not a compress run's, is refused unless {@code --force}.
 */
public final class CompressCommand implements Command {
    static final String SPARSE = CompressRunFolder.SPARSE;
    static final String PRUNE = CompressRunFolder.PRUNE;
    static final String DISTILL = CompressRunFolder.DISTILL;
    static final String ABLATION = CompressRunFolder.ABLATION;
    /** The report's manifest entry: a finished run re-run prints its report instead of measuring it again. */
    static final String REPORT = "report";
    /** The stage whose outputs each stage reads: redoing it makes the reader stale too. */
    private static final Map<String, String> UPSTREAM = Map.of(PRUNE, SPARSE, DISTILL, PRUNE, ABLATION, PRUNE);
    static final Set<String> OWN = Set.of(SPARSE, PRUNE, DISTILL, ABLATION, PipelineManifest.FILE, "report.md",
            "report.json");

    @Override
    public String name() {
        return "compress";
    }

    @Override
    public String summary() {
        return "sparse training -> group pruning -> attention distillation, resumable, with a report";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim compress --cfg MODEL.cfg --weights W --data VOCDIR --out DIR [options]")
                .value("cfg", "FILE", "trained model cfg (required)")
                .value("weights", "FILE", "trained model weights (required; also the distillation teacher)")
                .value("data", "DIR", "VOCdevkit root (required)")
                .value("out", "DIR", "output folder (required)")
                .value("sparse-epochs", "N", "sparse training epochs (default 10)")
                .value("finetune-epochs", "N", "distillation fine-tuning epochs (default 10)")
                .value("schedule", "NAME", "sparsity schedule: constant, dynamic, linear (default dynamic)")
                .value("strength", "S", "sparsity strength, or auto (sized to the run; default auto)")
                .value("reach", "R", "auto strength's reach (default 1.5; smaller keeps more accuracy, prunes less)")
                .value("ratio", "R", "prune this fraction of each group's channels (default 0.5)")
                .value("target-params", "F", "instead of --ratio: remove at least this fraction of parameters")
                .value("target-flops", "F", "instead of --ratio: remove at least this fraction of FLOPs")
                .value("attention-weight", "W", "attention distillation weight (default 20)")
                .flag("no-attention", "fine-tune without distillation")
                .flag("ablation", "also fine-tune the pruned model without distillation (same epochs, lr, seed) into "
                        + ABLATION + " and report both; can be added to a finished run")
                .value("batch", "N", "batch size (default 8)")
                .value("lr", "RATE", "learning rate of both training stages (default 0.002)")
                .value("size", "S", "input size (default: the cfg's)")
                .value("split", "SPEC", "training split (default trainval)")
                .value("eval-split", "SPEC", "evaluation split (default test)")
                .value("names", "FILE", ClassNames.HELP)
                .value("threads", "N", "threads (default: all cores)")
                .value("seed", "N", "seed (default 1)")
                .value("latency-runs", "N", "timed forward passes per model in the report (default 20)")
                .flag("force", "replace EdgeSlim's files in a folder holding another run")
                .flag("rerun-changed", "in a folder holding this run with other options, redo only the stages those "
                        + "options change (and the stages after them); the others are kept")
                .value("eval-every", "N", "evaluate every N epochs in each training stage (default: at its end)")
                .flag("quiet", "no progress bars");
        CompressStageOptions.register(options);
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path weights = p.requiredPath("weights");
        Path data = p.requiredPath("data");
        Path outDir = p.requiredPath("out");
        int sparseEpochs = p.integer("sparse-epochs", 10, 1, 100_000);
        int finetuneEpochs = p.integer("finetune-epochs", 10, 1, 100_000);
        int latencyRuns = p.integer("latency-runs", 20, 1, 10_000);
        int threads = p.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        List<String> criteria = List.of("ratio", "prune-percentile", "target-params", "target-flops").stream()
                .filter(p::has).toList();
        if (criteria.size() > 1) {
            throw new UsageException("give one of --ratio, --prune-percentile, --target-params, --target-flops; got --"
                    + criteria.get(0) + " and --" + criteria.get(1));
        }
        int evalEvery = p.integer("eval-every", 0, 1, 100_000);
        // stage 3 trains against the teacher unless every distillation term is off
        boolean distills = !p.has("no-attention") || p.number("output-weight", 0, 0, 1e6) > 0;
        if (p.has("ablation") && !distills) {
            throw new UsageException("--ablation compares distillation with plain fine-tuning; with --no-attention "
                    + "and no --output-weight both would be plain fine-tuning");
        }
        p.number("ratio", 0.5, 0, 0.999);
        // every value a stage would reject is rejected now, before the manifest records it
        TrainCommand.options(p, "compress");
        p.integer("size", 0, 32, 4096);
        p.number("attention-weight", 20, 0, 1e6);
        SparseTrainCommand.reach(p);
        try {
            SparsitySchedule.parse(p.string("schedule", "dynamic"),
                    p.string("strength", "auto").equals("auto") ? 0 : p.number("strength", 0.002, 0, 1));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        for (String target : List.of("target-params", "target-flops")) {
            double f = p.number(target, 0.5, 0, 1);
            if (f <= 0 || f >= 1) {
                throw new UsageException("--" + target + " must be within (0,1), got " + p.string(target, ""));
            }
        }
        List<String> common = new ArrayList<>();
        for (String flag : List.of("batch", "size", "split", "eval-split", "names", "threads", "seed")) {
            if (p.has(flag)) {
                common.add("--" + flag);
                common.add(p.string(flag, null));
            }
        }
        if (!p.has("burn-in")) {
            common.addAll(List.of("--burn-in", "50"));
        }
        if (p.has("quiet")) {
            common.add("--quiet");
        }
        if (!Files.isRegularFile(cfg)) {
            throw new BadInputException(cfg, "no such file");
        }
        if (!Files.isRegularFile(weights)) {
            throw new BadInputException(weights, "no such file");
        }
        if (!Files.isDirectory(data) && !dev.edgeslim.detector.data.DarknetDataFile.isDataFile(data)) {
            throw new BadInputException(data, "no such folder or file (expected a VOCdevkit root or a darknet .data file)");
        }
        // inputs that do not fit each other are refused before the folder and its manifest exist
        NetworkSpec spec = CfgParser.parse(cfg);
        VocClasses classes = ClassNames.forDataset(p, cfg, weights, spec.classes(), data, p.string("split", "trainval"));
        DarknetWeights.read(weights, spec);
        String nothing = ChannelGraph.of(spec).whyNothingIsPrunable();
        if (nothing != null) {
            throw new BadInputException(cfg, "no channel of this network can be pruned: " + nothing);
        }
        CompressStageOptions.check(p, spec);
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new BadInputException(outDir, "output path exists and is not a folder");
        }
        if (p.has("force")) {
            OutputFolder.prepare(outDir, true, false, OWN);
        } else if (Files.isDirectory(outDir) && !Files.exists(outDir.resolve(PipelineManifest.FILE))
                && !isEmpty(outDir)) {
            throw new BadInputException(outDir, "output folder is not empty and holds no compress run (no "
                    + PipelineManifest.FILE + "); use another --out, or --force to add a run to it");
        }
        Files.createDirectories(outDir);
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("cfg", cfg.toAbsolutePath());
        inputs.put("weights", weights.toAbsolutePath());
        inputs.put("data", data.toAbsolutePath());
        // hashed: a group or layer file edited in place makes another run
        for (String file : List.of("groups", "layers-file")) {
            if (p.has(file)) {
                inputs.put(file, p.path(file).toAbsolutePath());
            }
        }
        List<String> recorded = new ArrayList<>(args);
        // they do not change any stage's result (--ablation only adds a stage beside them)
        recorded.removeAll(List.of("--force", "--quiet", "--verbose", "--ablation", "--rerun-changed"));

        // every stage's command line, known before anything runs: a stage's identity in the manifest
        Path sparse = outDir.resolve(SPARSE);
        Path prune = outDir.resolve(PRUNE);
        Path distill = outDir.resolve(DISTILL);
        Path plain = outDir.resolve(ABLATION);
        List<String> sparseArgs = new ArrayList<>(List.of("sparse-train", "--cfg", cfg.toString(), "--weights",
                weights.toString(), "--data", data.toString(), "--out", sparse.toString(), "--epochs",
                String.valueOf(sparseEpochs), "--schedule", p.string("schedule", "dynamic"), "--strength",
                p.string("strength", "auto"), "--eval-every", String.valueOf(evalEvery > 0 ? evalEvery : sparseEpochs)));
        if (p.has("reach")) {
            sparseArgs.addAll(List.of("--reach", p.string("reach", null)));
        }
        if (!p.has("sparse-lr")) {
            sparseArgs.addAll(List.of("--lr", p.string("lr", "0.002")));
        }
        sparseArgs.addAll(common);
        sparseArgs.addAll(CompressStageOptions.forStage(p, CompressStageOptions.Stage.SPARSE));
        // --force: the stage folder is the pipeline's own; an interrupted earlier attempt may have left files in it
        List<String> pruneArgs = new ArrayList<>(List.of("prune", "--cfg", sparse.resolve("model.cfg").toString(),
                "--weights", sparse.resolve("final.weights").toString(), "--out", prune.toString(), "--force"));
        if (p.has("names")) {
            pruneArgs.addAll(List.of("--names", p.string("names", null)));
        }
        if (p.has("target-params")) {
            pruneArgs.addAll(List.of("--target-params", p.string("target-params", null)));
        } else if (p.has("target-flops")) {
            pruneArgs.addAll(List.of("--target-flops", p.string("target-flops", null)));
        } else if (!p.has("prune-percentile")) { // a percentile is passed by forStage as prune's --percentile
            pruneArgs.addAll(List.of("--ratio", p.string("ratio", "0.5")));
        }
        pruneArgs.addAll(CompressStageOptions.forStage(p, CompressStageOptions.Stage.PRUNE));
        List<String> distillArgs = fineTuning(p, prune, data, distill, finetuneEpochs, evalEvery, common,
                CompressStageOptions.Stage.DISTILL);
        if (p.has("no-attention")) {
            distillArgs.add("--no-attention");
        } else {
            distillArgs.addAll(List.of("--attention-weight", p.string("attention-weight", "20")));
        }
        if (distills) {
            distillArgs.addAll(List.of("--teacher-cfg", cfg.toString(), "--teacher-weights", weights.toString()));
        }
        // the distillation stage's training, minus every distillation term
        List<String> ablationArgs = fineTuning(p, prune, data, plain, finetuneEpochs, evalEvery, common,
                CompressStageOptions.Stage.ABLATION);
        ablationArgs.add("--no-attention");

        PipelineManifest manifest = PipelineManifest.open(outDir, inputs, recorded, true);
        // once a run has its ablation it keeps one: redone with the stages it reads when those change
        boolean ablation = p.has("ablation") || manifest.done(ABLATION);
        Map<String, List<String>> planned = new LinkedHashMap<>();
        planned.put(SPARSE, identity(sparseArgs));
        planned.put(PRUNE, identity(pruneArgs));
        planned.put(DISTILL, identity(distillArgs));
        if (ablation) {
            planned.put(ABLATION, identity(ablationArgs));
        }
        if (!manifest.options().equals(recorded)) {
            List<String> stale = manifest.staleStages(planned, UPSTREAM);
            if (!p.has("rerun-changed")) {
                throw new BadInputException(outDir.resolve(PipelineManifest.FILE), "this folder holds a compress run "
                        + "with other options" + (stale.isEmpty() ? " (they change only the report)"
                        : " (they change " + String.join(", ", stale) + ")") + "; use another --out, --rerun-changed "
                        + "to redo just that, or --force to replace it");
            }
            // a stage to redo, or one never finished (its checkpoint may come from the old options), starts afresh
            for (String stage : planned.keySet()) {
                if (stale.contains(stage) || !manifest.done(stage)) {
                    OutputFolder.deleteTree(outDir.resolve(stage));
                    manifest.forget(stage);
                }
            }
            manifest.forget(REPORT);
            manifest.adoptOptions(recorded);
            err.println("== options changed: " + (stale.isEmpty() ? "only the report is made again"
                    : "redoing " + String.join(", ", stale)));
        }
        EdgeSlim cli = new EdgeSlim();

        runStage(cli, manifest, SPARSE, "sparse training", sparseArgs, planned, sparse,
                Map.of("weights", sparse.resolve("final.weights").toString()), out, err);
        runStage(cli, manifest, PRUNE, "group pruning", pruneArgs, planned, null,
                Map.of("cfg", prune.resolve("pruned.cfg").toString()), out, err);
        runStage(cli, manifest, DISTILL, "distillation fine-tuning", distillArgs, planned, distill,
                Map.of("weights", distill.resolve("final.weights").toString()), out, err);
        if (ablation) {
            runStage(cli, manifest, ABLATION, "ablation: plain fine-tuning", ablationArgs, planned, plain,
                    Map.of("weights", plain.resolve("final.weights").toString()), out, err);
        }
        Path reportMd = outDir.resolve("report.md");
        boolean reportHasAblation = "true".equals(manifest.result(REPORT, "ablation"));
        if (manifest.done(REPORT) && Files.isRegularFile(reportMd) && (reportHasAblation || !ablation)) {
            // every number in it was measured on files that have not changed since
            skipped(err, "report");
            Files.readAllLines(reportMd).stream().filter(l -> l.startsWith("|")).forEach(out::println);
            out.println("report: " + reportMd);
            return OK;
        }
        err.println("== report");
        VocDataset eval = ClassNames.open(data, p.string("eval-split", "test"),
                VocDataset.Options.defaults().withClasses(classes));
        List<ModelSummary> rows = new ArrayList<>();
        rows.add(ModelSummary.measure("input", cfg, weights, eval, threads, latencyRuns));
        rows.add(ModelSummary.measure("sparse", sparse.resolve("model.cfg"), sparse.resolve("final.weights"), eval,
                threads, latencyRuns));
        rows.add(ModelSummary.measure("pruned (before fine-tuning)", prune.resolve("pruned.cfg"),
                prune.resolve("pruned.weights"), eval, threads, latencyRuns));
        boolean withAblation = manifest.done(ABLATION); // this run's, or one an earlier run added
        if (withAblation) {
            rows.add(ModelSummary.measure("pruned + plain fine-tuning (ablation)", plain.resolve("model.cfg"),
                    plain.resolve("final.weights"), eval, threads, latencyRuns));
        }
        rows.add(ModelSummary.measure(distills ? "pruned + distilled" : "pruned + fine-tuned",
                distill.resolve("model.cfg"), distill.resolve("final.weights"), eval, threads, latencyRuns));
        CompressionReport.write(outDir, "EdgeSlim compression report", rows, stageFiles(outDir),
                Map.of("options", recorded));
        manifest.markDone(REPORT, Map.of("md", reportMd.toString(), "ablation", withAblation));
        out.print(CompressionReport.table(rows));
        out.println("report: " + reportMd);
        return OK;
    }

    /**
     * The {@code distill} arguments shared by the distillation stage and its ablation: the pruned model of
     * {@code prune}, trained into {@code folder} with the fine-tuning epochs, learning rate and training flags.
     */
    private static List<String> fineTuning(CliOptions.Parsed p, Path prune, Path data, Path folder, int epochs,
                                           int evalEvery, List<String> common, CompressStageOptions.Stage stage) {
        List<String> a = new ArrayList<>(List.of("distill", "--cfg", prune.resolve("pruned.cfg").toString(),
                "--weights", prune.resolve("pruned.weights").toString(), "--data", data.toString(), "--out",
                folder.toString(), "--epochs", String.valueOf(epochs), "--eval-every",
                String.valueOf(evalEvery > 0 ? evalEvery : epochs)));
        if (!p.has("finetune-lr")) {
            a.addAll(List.of("--lr", p.string("lr", "0.002")));
        }
        a.addAll(common);
        a.addAll(CompressStageOptions.forStage(p, stage));
        return a;
    }

    /** The plots and stage reports a reader of report.md will want, those that exist, relative to the run folder. */
    static List<CompressionReport.Link> stageFiles(Path outDir) throws IOException {
        List<CompressionReport.Link> links = new ArrayList<>();
        String[][] fixed = {
                {"sparse training curves (loss, lr, mAP)", SPARSE + "/curves.png"},
                {"|γ| histogram before/after sparse training, all prunable layers", SPARSE + "/gamma/all.png"},
                {"γ statistics per epoch and group", SPARSE + "/gamma-stats.json"},
                {"sparse model PR curves", SPARSE + "/eval/sparse-pr.png"},
                {"kept channels per layer", PRUNE + "/kept-channels.png"},
                {"pruning report (per-group thresholds and removed channels)", PRUNE + "/prune-report.md"},
                {"distillation curves (detection and attention loss, lr, mAP)", DISTILL + "/curves.png"},
                {"distilled model PR curves", DISTILL + "/eval/distill-pr.png"},
                {"ablation curves (plain fine-tuning)", ABLATION + "/curves.png"},
                {"ablation PR curves", ABLATION + "/eval/finetune-pr.png"}};
        for (String[] f : fixed) {
            if (Files.isRegularFile(outDir.resolve(f[1]))) {
                links.add(new CompressionReport.Link(f[0], f[1]));
            }
        }
        Path gamma = outDir.resolve(SPARSE).resolve("gamma");
        if (Files.isDirectory(gamma)) {
            try (Stream<Path> s = Files.list(gamma)) {
                s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".png") && !n.equals("all.png")).sorted()
                        .forEach(n -> links.add(new CompressionReport.Link("|γ| histogram, group "
                                + n.substring(0, n.length() - 4), SPARSE + "/gamma/" + n)));
            }
        }
        return links;
    }

    /** A stage's command line as the manifest records it: without flags that only change what is printed. */
    private static List<String> identity(List<String> stageArgs) {
        List<String> id = new ArrayList<>(stageArgs);
        id.remove("--quiet");
        return id;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /**
     * Skips stage {@code id} when the manifest has it done, else runs it ({@link #stage}) and records it done with
     * {@code results} and its planned command line.
     */
    private static void runStage(EdgeSlim cli, PipelineManifest manifest, String id, String name, List<String> args,
                                 Map<String, List<String>> planned, Path trainingDir, Map<String, Object> results,
                                 PrintStream out, PrintStream err) throws IOException {
        if (manifest.done(id)) {
            skipped(err, name);
            return;
        }
        stage(cli, name, new ArrayList<>(args), trainingDir, out, err);
        manifest.markDone(id, results, planned.get(id));
    }

    private static void skipped(PrintStream err, String name) {
        err.println("== " + name + ": done, skipped");
    }

    /**
     * Runs a stage's command. A training stage ({@code trainingDir} not null) whose folder exists was interrupted:
     * it continues from its last checkpoint ({@code --resume}), which repeats the uninterrupted run exactly.
     */
    private static void stage(EdgeSlim cli, String name, List<String> args, Path trainingDir, PrintStream out,
                              PrintStream err) {
        if (trainingDir != null && Files.isDirectory(trainingDir)) {
            args.add("--resume");
            boolean checkpoint = new CheckpointStore(trainingDir.resolve(TrainingRun.CHECKPOINTS)).exists();
            err.println("== " + name + ": resuming " + (checkpoint ? "from its last checkpoint" : "(no checkpoint yet)"));
        } else {
            err.println("== " + name);
        }
        int code = cli.run(args, out, err);
        if (code != OK) {
            throw new StageFailedException(name + " failed (exit " + code + "); fix the cause and run the same "
                    + "command again to continue", code);
        }
    }

    /** A stage's own command failed; its exit code is passed on. */
    static final class StageFailedException extends RuntimeException {
        final int code;

        StageFailedException(String message, int code) {
            super(message);
            this.code = code;
        }
    }
}
