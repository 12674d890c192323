package dev.edgeslim.cli;

import dev.edgeslim.compressor.pipeline.TrainingSettings;
import dev.edgeslim.compressor.pipeline.TrainingStage;
import dev.edgeslim.detector.train.TrainingRun;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code edgeslim train}: trains a darknet model on a VOCdevkit with the YOLOv4 loss. Output folder: model.cfg,
 * final.weights, metrics.jsonl, curves.png, checkpoints/, eval/. JSON fields ({@code --json}): {@code out, cfg,
 * weights, epochs, iterations, images_per_s, map50 (VOC07 11-point), map50_all (VOC2010+ all-point), seconds}.
 */
public final class TrainCommand implements Command {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a YOLO model on a VOCdevkit (from scratch or from darknet weights)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = StageFlags.trainingFlags(new CliOptions("edgeslim train --cfg MODEL.cfg --data VOCDIR --out DIR [options]")
                .value("cfg", "FILE", "darknet cfg (required)")
                .value("weights", "FILE", "initial darknet weights (default: seeded random initialisation)")
                .value("data", "DIR", "VOCdevkit root or darknet .data file (required)")
                .value("out", "DIR", "output folder (required)"));
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path data = p.requiredPath("data");
        Path outDir = p.requiredPath("out");
        TrainingSettings settings = StageFlags.training(p, TrainingSettings.defaults());
        long started = System.nanoTime();
        TrainingRun.Result result = new TrainingStage(cfg, p.path("weights"), data, settings)
                .reportingData(err)
                .run(outDir, p.has("force"), p.has("resume"), p.has("quiet") ? null : err);
        double seconds = (System.nanoTime() - started) / 1e9;
        TrainingSummary.print(out, p.has("json"), outDir, result, settings.options("train"), seconds, java.util.Map.of());
        return OK;
    }
}
