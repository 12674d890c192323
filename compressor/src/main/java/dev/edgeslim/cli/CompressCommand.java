package dev.edgeslim.cli;

import dev.edgeslim.compressor.pipeline.CompressionReport;
import dev.edgeslim.compressor.pipeline.ModelSummary;
import dev.edgeslim.compressor.pipeline.PipelineManifest;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFolder;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code edgeslim compress}: the three stages in one resumable command. {@code OUT/1-sparse} (sparse training),
 * {@code OUT/2-prune} (group channel pruning), {@code OUT/3-distill} (attention-distillation fine-tuning from the
 * input model as teacher), then {@code OUT/report.md} / {@code report.json} comparing the input, the sparse model,
 * the pruned model before fine-tuning and the final model (mAP in both VOC conventions, params, BFLOPs, size, TF
 * Java latency measured in this run). {@code OUT/manifest.json} records inputs (with SHA-256) and options: running
 * the same command again skips finished stages and resumes an interrupted one from its checkpoint; another
 * command's folder is refused.
 */
public final class CompressCommand implements Command {
    static final String SPARSE = "1-sparse";
    static final String PRUNE = "2-prune";
    static final String DISTILL = "3-distill";
    static final Set<String> OWN = Set.of(SPARSE, PRUNE, DISTILL, PipelineManifest.FILE, "report.md", "report.json");

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
                .value("strength", "S", "sparsity strength (default 0.002)")
                .value("ratio", "R", "prune this fraction of each group's channels (default 0.5)")
                .value("target-params", "F", "instead of --ratio: remove at least this fraction of parameters")
                .value("target-flops", "F", "instead of --ratio: remove at least this fraction of FLOPs")
                .value("attention-weight", "W", "attention distillation weight (default 20)")
                .flag("no-attention", "fine-tune without distillation (ablation)")
                .value("batch", "N", "batch size (default 8)")
                .value("lr", "RATE", "learning rate of both training stages (default 0.002)")
                .value("size", "S", "input size (default: the cfg's)")
                .value("split", "SPEC", "training split (default trainval)")
                .value("eval-split", "SPEC", "evaluation split (default test)")
                .value("threads", "N", "threads (default: all cores)")
                .value("seed", "N", "seed (default 1)")
                .value("latency-runs", "N", "timed forward passes per model in the report (default 20)")
                .flag("force", "replace EdgeSlim's files in a folder holding another run")
                .flag("quiet", "no progress bars");
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
        if (p.has("ratio") && (p.has("target-params") || p.has("target-flops"))) {
            throw new UsageException("give --ratio or a target, not both");
        }
        p.number("ratio", 0.5, 0, 0.999);
        List<String> common = new ArrayList<>();
        for (String flag : List.of("batch", "size", "split", "eval-split", "threads", "seed")) {
            if (p.has(flag)) {
                common.add("--" + flag);
                common.add(p.string(flag, null));
            }
        }
        common.add("--lr");
        common.add(p.string("lr", "0.002"));
        common.add("--burn-in");
        common.add("50");
        if (p.has("quiet")) {
            common.add("--quiet");
        }
        if (!Files.isRegularFile(cfg)) {
            throw new BadInputException(cfg, "no such file");
        }
        if (!Files.isRegularFile(weights)) {
            throw new BadInputException(weights, "no such file");
        }
        if (p.has("force")) {
            OutputFolder.prepare(outDir, true, false, OWN);
        }
        Files.createDirectories(outDir);
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("cfg", cfg.toAbsolutePath());
        inputs.put("weights", weights.toAbsolutePath());
        inputs.put("data", data.toAbsolutePath());
        List<String> recorded = new ArrayList<>(args);
        recorded.removeAll(List.of("--force", "--quiet"));
        PipelineManifest manifest = PipelineManifest.open(outDir, inputs, recorded);
        EdgeSlim cli = new EdgeSlim();

        Path sparse = outDir.resolve(SPARSE);
        if (!manifest.done(SPARSE)) {
            List<String> a = new ArrayList<>(List.of("sparse-train", "--cfg", cfg.toString(), "--weights",
                    weights.toString(), "--data", data.toString(), "--out", sparse.toString(), "--epochs",
                    String.valueOf(sparseEpochs), "--schedule", p.string("schedule", "dynamic"), "--strength",
                    p.string("strength", "0.002"), "--eval-every", String.valueOf(sparseEpochs)));
            a.addAll(common);
            if (Files.isDirectory(sparse)) {
                a.add("--resume");
            }
            stage(cli, "sparse training", a, out, err);
            manifest.markDone(SPARSE, Map.of("weights", sparse.resolve("final.weights").toString()));
        }
        Path prune = outDir.resolve(PRUNE);
        if (!manifest.done(PRUNE)) {
            // --force: the stage folder is the pipeline's own; an interrupted earlier attempt may have left files in it
            List<String> a = new ArrayList<>(List.of("prune", "--cfg", sparse.resolve("model.cfg").toString(),
                    "--weights", sparse.resolve("final.weights").toString(), "--out", prune.toString(), "--force"));
            if (p.has("target-params")) {
                a.addAll(List.of("--target-params", p.string("target-params", null)));
            } else if (p.has("target-flops")) {
                a.addAll(List.of("--target-flops", p.string("target-flops", null)));
            } else {
                a.addAll(List.of("--ratio", p.string("ratio", "0.5")));
            }
            stage(cli, "group pruning", a, out, err);
            manifest.markDone(PRUNE, Map.of("cfg", prune.resolve("pruned.cfg").toString()));
        }
        Path distill = outDir.resolve(DISTILL);
        if (!manifest.done(DISTILL)) {
            List<String> a = new ArrayList<>(List.of("distill", "--cfg", prune.resolve("pruned.cfg").toString(),
                    "--weights", prune.resolve("pruned.weights").toString(), "--data", data.toString(), "--out",
                    distill.toString(), "--epochs", String.valueOf(finetuneEpochs), "--eval-every",
                    String.valueOf(finetuneEpochs)));
            if (p.has("no-attention")) {
                a.add("--no-attention");
            } else {
                a.addAll(List.of("--teacher-cfg", cfg.toString(), "--teacher-weights", weights.toString(),
                        "--attention-weight", p.string("attention-weight", "20")));
            }
            a.addAll(common);
            if (Files.isDirectory(distill)) {
                a.add("--resume");
            }
            stage(cli, "distillation fine-tuning", a, out, err);
            manifest.markDone(DISTILL, Map.of("weights", distill.resolve("final.weights").toString()));
        }
        VocDataset eval = VocDataset.open(data, p.string("eval-split", "test"));
        List<ModelSummary> rows = new ArrayList<>();
        rows.add(ModelSummary.measure("input", cfg, weights, eval, threads, latencyRuns));
        rows.add(ModelSummary.measure("sparse", sparse.resolve("model.cfg"), sparse.resolve("final.weights"), eval,
                threads, latencyRuns));
        rows.add(ModelSummary.measure("pruned (before fine-tuning)", prune.resolve("pruned.cfg"),
                prune.resolve("pruned.weights"), eval, threads, latencyRuns));
        rows.add(ModelSummary.measure(p.has("no-attention") ? "pruned + fine-tuned" : "pruned + distilled",
                distill.resolve("model.cfg"), distill.resolve("final.weights"), eval, threads, latencyRuns));
        CompressionReport.write(outDir, "EdgeSlim compression report", rows, Map.of("options", recorded));
        out.print(CompressionReport.table(rows));
        out.println("report: " + outDir.resolve("report.md"));
        return OK;
    }

    private static void stage(EdgeSlim cli, String name, List<String> args, PrintStream out, PrintStream err) {
        err.println("== " + name);
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
