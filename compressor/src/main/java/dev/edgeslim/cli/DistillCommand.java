package dev.edgeslim.cli;

import dev.edgeslim.compressor.distill.OutputDistillation;
import dev.edgeslim.compressor.pipeline.DistillationConfig;
import dev.edgeslim.compressor.pipeline.DistillationStage;
import dev.edgeslim.compressor.pipeline.TrainingSettings;
import dev.edgeslim.detector.train.TrainingRun;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code edgeslim distill}: stage 3 ({@link DistillationStage}), fine-tunes a pruned student with the detection loss
 * plus spatial-attention distillation from the unpruned teacher. Layer pairs are chosen automatically (end of each
 * backbone stride stage and each neck output read by a head) or given with {@code --layers 12:1.0,34}.
 * {@code --no-attention} gives the plain fine-tuning baseline of the ablation. {@code --output-weight W} (with
 * {@code --temperature T}) adds output distillation: the teacher's softened objectness and class scores as targets
 * ({@link OutputDistillation}). Writes what {@code train} writes.
 */
public final class DistillCommand implements Command {
    @Override
    public String name() {
        return "distill";
    }

    @Override
    public String summary() {
        return "stage 3: fine-tune a pruned student with spatial-attention distillation from its teacher";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = StageFlags.trainingFlags(new CliOptions("edgeslim distill --cfg STUDENT.cfg --weights W "
                + "--teacher-cfg T.cfg --teacher-weights TW --data VOCDIR --out DIR [options]")
                .value("cfg", "FILE", "student (pruned) cfg (required)")
                .value("weights", "FILE", "student weights (required)")
                .value("teacher-cfg", "FILE", "teacher (unpruned) cfg (required unless no distillation term is on)")
                .value("teacher-weights", "FILE", "teacher weights (required with --teacher-cfg)")
                .value("data", "DIR", "VOCdevkit root or darknet .data file (required)")
                .value("out", "DIR", "output folder (required)")
                .value("layers", "LIST", "distillation layers LAYER[:WEIGHT],... (default: automatic)")
                .value("layers-file", "FILE", "distillation layers from a file, one LAYER[:WEIGHT] per line")
                .value("attention-weight", "W", "weight of each attention pair (default 20)")
                .flag("no-attention", "no attention distillation (with no --output-weight: plain fine-tuning)")
                .value("output-weight", "W", "output distillation of objectness and classes, weight W (default 0: off)")
                .value("temperature", "T", "output distillation temperature (default 2)"));
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path weightsFile = p.requiredPath("weights");
        Path data = p.requiredPath("data");
        Path outDir = p.requiredPath("out");
        DistillationConfig config = StageFlags.distillation(p, StageFlags.training(p, TrainingSettings.defaults()));
        Path teacherCfg = config.distills() ? p.requiredPath("teacher-cfg") : null;
        Path teacherWeights = config.distills() ? p.requiredPath("teacher-weights") : null;
        long started = System.nanoTime();
        TrainingRun.Result result = new DistillationStage(cfg, weightsFile, teacherCfg, teacherWeights, data, config)
                .reportingData(err)
                .run(outDir, p.has("force"), p.has("resume"), p.has("quiet") ? null : err);
        TrainingSummary.print(out, p.has("json"), outDir, result,
                config.training().options(config.distills() ? "distill" : "finetune"),
                (System.nanoTime() - started) / 1e9, Map.of());
        return OK;
    }
}
