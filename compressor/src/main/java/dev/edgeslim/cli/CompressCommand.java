package dev.edgeslim.cli;

import dev.edgeslim.compressor.pipeline.CompressRunFolder;
import dev.edgeslim.compressor.pipeline.CompressionConfig;
import dev.edgeslim.compressor.pipeline.CompressionPipeline;
import dev.edgeslim.compressor.pipeline.CompressionReport;
import dev.edgeslim.compressor.pipeline.DistillationConfig;
import dev.edgeslim.compressor.pipeline.PruningConfig;
import dev.edgeslim.compressor.pipeline.ReportSettings;
import dev.edgeslim.compressor.pipeline.SparseTrainingConfig;
import dev.edgeslim.compressor.pipeline.TrainingSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code edgeslim compress}: the three stages in one resumable command, {@link CompressionPipeline} with its
 * configuration from the flags. {@code OUT/1-sparse} (sparse training), {@code OUT/2-prune} (group channel
 * pruning), {@code OUT/3-distill} (attention-distillation fine-tuning from the input model as teacher), then
 * {@code OUT/report.md} / {@code report.json}. Running the same command again skips finished stages and resumes an
 * interrupted one; a folder holding another run is refused unless {@code --force} or {@code --rerun-changed}.
 */
public final class CompressCommand implements Command {
    static final String SPARSE = CompressRunFolder.SPARSE;
    static final String PRUNE = CompressRunFolder.PRUNE;
    static final String DISTILL = CompressRunFolder.DISTILL;
    static final String ABLATION = CompressRunFolder.ABLATION;
    static final String REPORT = CompressionPipeline.REPORT;

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
        CliOptions options = StageFlags.compressStageFlags(new CliOptions(
                "edgeslim compress --cfg MODEL.cfg --weights W --data VOCDIR --out DIR [options]")
                .value("cfg", "FILE", "trained model cfg (required)")
                .value("weights", "FILE", "trained model weights (required; also the distillation teacher)")
                .value("data", "DIR", "VOCdevkit root or darknet .data file (required)")
                .value("out", "DIR", "output folder (required)")
                .value("sparse-epochs", "N", "sparse training epochs (default 10)")
                .value("finetune-epochs", "N", "distillation fine-tuning epochs (default 10)")
                .value("schedule", "NAME", "sparsity schedule: constant, dynamic, linear (default dynamic)")
                .value("strength", "S", "sparsity strength, or auto (sized to the run; default auto)")
                .value("sparsity-weighting", "W", "uniform (default), flops or params: scale each layer's L1 strength "
                        + "by what one of its channels costs (square root, mean 1)")
                .value("reach", "R", "auto strength's reach (default 1.5; smaller keeps more accuracy, prunes less)")
                .value("ratio", "R", "prune this fraction of each group's channels (default 0.5)")
                .value("target-params", "F", "instead of --ratio: remove at least this fraction of parameters")
                .value("target-flops", "F", "instead of --ratio: remove at least this fraction of FLOPs (with "
                        + "--target-params: meet both)")
                .value("attention-weight", "W", "attention distillation weight (default 20)")
                .flag("no-attention", "fine-tune without distillation")
                .flag("ablation", "also fine-tune the pruned model without distillation (same epochs, lr, seed) into "
                        + ABLATION + " and report both; can be added to a finished run")
                .value("batch", "N", "batch size (default 8)")
                .value("lr", "RATE", "learning rate of both training stages (default 0.002)")
                .value("size", "S", "input size (default: the cfg's)")
                .value("split", "SPEC", "training split (default trainval)")
                .value("eval-split", "SPEC", "evaluation split (default test)")
                .value("threads", "N", "threads (default: all cores)")
                .value("seed", "N", "seed (default 1)")
                .value("names", "FILE", ClassNames.HELP)
                .value("latency-runs", "N", "timed forward passes per model in the report (default 20)")
                .flag("force", "replace EdgeSlim's files in a folder holding another run")
                .flag("rerun-changed", "in a folder holding this run with other options, redo only the stages those "
                        + "options change (and the stages after them); the others are kept")
                .value("eval-every", "N", "evaluate every N epochs in each training stage (default: at its end)")
                .flag("quiet", "no progress bars"));
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path weights = p.requiredPath("weights");
        Path data = p.requiredPath("data");
        Path outDir = p.requiredPath("out");
        CompressionConfig config = config(p);
        CompressionPipeline.Existing existing = p.has("force") ? CompressionPipeline.Existing.REPLACE
                : p.has("rerun-changed") ? CompressionPipeline.Existing.RERUN_CHANGED
                : CompressionPipeline.Existing.REFUSE;
        CompressionPipeline.Result result = new CompressionPipeline(new CompressionPipeline.Inputs(cfg, weights, data),
                config).run(outDir, existing, err, p.has("quiet") ? null : err);
        out.print(CompressionReport.table(result.report()));
        out.println("report: " + result.reportFile());
        return OK;
    }

    /** The run's configuration from the flags; every value is checked before anything is read or written. */
    static CompressionConfig config(CliOptions.Parsed p) {
        int sparseEpochs = p.integer("sparse-epochs", 10, 1, 100_000);
        int finetuneEpochs = p.integer("finetune-epochs", 10, 1, 100_000);
        List<String> criteria = List.of("ratio", "prune-percentile", "target-params", "target-flops").stream()
                .filter(p::has).toList();
        boolean bothTargets = criteria.equals(List.of("target-params", "target-flops"));
        if (criteria.size() > 1 && !bothTargets) {
            throw new UsageException("give one of --ratio, --prune-percentile, --target-params, --target-flops (or "
                    + "--target-params with --target-flops); got --"
                    + criteria.get(0) + " and --" + criteria.get(1));
        }
        // both training stages: compress's defaults (lr 0.002, 50 warm-up iterations, evaluated at the end)
        TrainingSettings common = StageFlags.training(p, TrainingSettings.defaults().withLr(0.002).withBurnIn(50)
                .withEvalEvery(0));
        TrainingSettings sparseTraining = common.withEpochs(sparseEpochs)
                .withLr(p.number("sparse-lr", common.lr(), 1e-7, 10))
                .withBnMomentum(p.has("bn-momentum") ? common.bnMomentum() : 0.9);
        SparseTrainingConfig sparse = StageFlags.sparse(p, sparseTraining, "relax-percentile");
        PruningConfig pruning = StageFlags.pruningOptions(p, pruningCriterion(p));
        TrainingSettings fineTuning = common.withEpochs(finetuneEpochs)
                .withLr(p.number("finetune-lr", common.lr(), 1e-7, 10));
        DistillationConfig distillation = StageFlags.distillation(p, fineTuning);
        if (p.has("ablation") && !distillation.distills()) {
            throw new UsageException("--ablation compares distillation with plain fine-tuning; with --no-attention "
                    + "and no --output-weight both would be plain fine-tuning");
        }
        ReportSettings report = new ReportSettings(common.evalSplit(), common.threads(),
                p.integer("latency-runs", 20, 1, 10_000));
        return new CompressionConfig(sparse, pruning, distillation, p.has("ablation"), report);
    }

    private static PruningConfig pruningCriterion(CliOptions.Parsed p) {
        for (String target : List.of("target-params", "target-flops")) {
            double f = p.number(target, 0.5, 0, 1);
            if (f <= 0 || f >= 1) {
                throw new UsageException("--" + target + " must be within (0,1), got " + p.string(target, ""));
            }
        }
        if (p.has("target-params")) {
            PruningConfig params = PruningConfig.targetParams(p.number("target-params", 0.5, 0, 1));
            return p.has("target-flops") ? params.withAlsoFlops(p.number("target-flops", 0.5, 0, 1)) : params;
        }
        if (p.has("target-flops")) {
            return PruningConfig.targetFlops(p.number("target-flops", 0.5, 0, 1));
        }
        if (p.has("prune-percentile")) {
            double v = p.number("prune-percentile", 50, 0, 100);
            if (v == 100) {
                throw new UsageException("--prune-percentile must be within [0,100), got "
                        + p.string("prune-percentile", ""));
            }
            return PruningConfig.percentile(v);
        }
        return PruningConfig.ratio(p.number("ratio", 0.5, 0, 0.999));
    }
}
