package dev.edgeslim.cli;

import dev.edgeslim.compressor.pipeline.SparseTrainingConfig;
import dev.edgeslim.compressor.pipeline.SparseTrainingStage;
import dev.edgeslim.compressor.pipeline.TrainingSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code edgeslim sparse-train}: stage 1 ({@link SparseTrainingStage}), training with an L1 penalty on the BN γ of
 * prunable convolutions under a constant, dynamic (the paper's) or linear schedule. Writes what {@code train}
 * writes plus {@code gamma-stats.json} and {@code gamma/<group>.png}. JSON fields: those of {@code train}, plus
 * {@code schedule, strength, strength_auto, gamma_lt_0.01}.
 */
public final class SparseTrainCommand implements Command {
    @Override
    public String name() {
        return "sparse-train";
    }

    @Override
    public String summary() {
        return "stage 1: sparse training (L1 on BN γ with a constant/dynamic/linear schedule)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = StageFlags.trainingFlags(new CliOptions(
                "edgeslim sparse-train --cfg MODEL.cfg --weights W --data VOCDIR --out DIR [options]")
                .value("cfg", "FILE", "darknet cfg (required)")
                .value("weights", "FILE", "trained darknet weights to start from (required)")
                .value("data", "DIR", "VOCdevkit root or darknet .data file (required)")
                .value("out", "DIR", "output folder (required)")
                .value("schedule", "NAME", "constant, dynamic or linear (default dynamic)")
                .value("strength", "S", "L1 strength s, or 'auto': sized to the run so the penalty alone could move the"
                        + " median |γ| 1.5 times its size to zero (default auto)")
                .value("sparsity-weighting", "W", "uniform (default), flops or params: scale each layer's L1 strength "
                        + "by what one of its channels costs (square root, mean 1)")
                .value("reach", "R", "auto strength: the penalty alone could move the median |γ| R times its size to"
                        + " zero over the run (default 1.5; smaller keeps more accuracy, prunes less)")
                .value("warmup", "F", "dynamic: fraction of the run at full strength (default 0.5)")
                .value("percentile", "P", "dynamic: channels above this global |γ| percentile are relaxed (default 65)"));
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path weightsFile = p.requiredPath("weights");
        Path data = p.requiredPath("data");
        Path outDir = p.requiredPath("out");
        // the stage's own BatchNorm momentum (0.9, see SparseTrainingConfig) unless given
        TrainingSettings settings = StageFlags.training(p, TrainingSettings.defaults().withBnMomentum(0.9));
        SparseTrainingConfig config = StageFlags.sparse(p, settings, "percentile");
        long started = System.nanoTime();
        SparseTrainingStage.Result result = new SparseTrainingStage(cfg, weightsFile, data, config)
                .reportingData(err)
                .run(outDir, p.has("force"), p.has("resume"), p.has("quiet") ? null : err);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("schedule", result.schedule().kind().name().toLowerCase(Locale.ROOT));
        extra.put("strength", result.schedule().strength());
        extra.put("strength_auto", config.strength() == null);
        if (result.gammaBelow001() != null) {
            extra.put("gamma_lt_0.01", result.gammaBelow001());
        }
        TrainingSummary.print(out, p.has("json"), outDir, result.run(), settings.options("sparse"),
                (System.nanoTime() - started) / 1e9, extra);
        return OK;
    }
}
