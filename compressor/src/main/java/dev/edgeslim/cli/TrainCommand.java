package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.data.AugmentOptions;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.DetectionLoss;
import dev.edgeslim.detector.train.LearningRateSchedule;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.train.TrainingRun;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code edgeslim train}: trains a darknet model on a VOCdevkit with the YOLOv4 loss. Output folder: model.cfg,
 * final.weights, metrics.jsonl, curves.png, checkpoints/, eval/. JSON fields ({@code --json}): {@code out, cfg,
 * weights, epochs, iterations, images_per_s, map50 (VOC07 11-point), map50_all (VOC2010+ all-point), seconds}.
 */
public final class TrainCommand implements Command {
    static final Set<String> OWN = TrainingRun.OWN;

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a YOLO model on a VOCdevkit (from scratch or from darknet weights)";
    }

    static CliOptions trainingFlags(CliOptions o) {
        return ClassNames.flag(o).value("epochs", "N", "epochs (default 30)")
                .value("batch", "N", "batch size (default 8)")
                .value("size", "S", "input size, multiple of 32 (default: the cfg's)")
                .value("lr", "RATE", "base learning rate (default 0.005)")
                .value("burn-in", "N", "warm-up iterations (default 200)")
                .value("momentum", "M", "SGD momentum (default 0.9)")
                .value("decay", "D", "weight decay on kernels (default 0.0005)")
                .value("split", "SPEC", "training split, e.g. 2007:trainval+2012:trainval (default trainval)")
                .value("eval-split", "SPEC", "evaluation split (default test; 'none' to skip)")
                .value("eval-every", "N", "evaluate every N epochs (default 5)")
                .value("threads", "N", "TF threads (default: all cores)")
                .value("seed", "N", "seed for initialisation, shuffling and augmentation (default 1)")
                .value("mosaic", "P", "mosaic probability (default 0.5)")
                .flag("no-augment", "letterbox only (no geometric/colour augmentation)")
                .value("bn-momentum", "M", "BatchNorm moving-average momentum (default 0.99; sparse-train 0.9)")
                .flag("skip-bad", "skip and count unreadable samples instead of stopping")
                .flag("resume", "continue from the output folder's last checkpoint")
                .flag("force", "replace EdgeSlim's files in a non-empty output folder")
                .flag("quiet", "no progress bar")
                .flag("json", "print a JSON summary");
    }

    /** Training options from the common flags (validated before any file is read). */
    static TrainingOptions options(CliOptions.Parsed p, String name) {
        return options(p, name, 0.99);
    }

    /** @param bnMomentum the default BatchNorm moving-average momentum of this command */
    static TrainingOptions options(CliOptions.Parsed p, String name, double bnMomentum) {
        int epochs = p.integer("epochs", 30, 1, 100_000);
        int batch = p.integer("batch", 8, 1, 1024);
        double lr = p.number("lr", 0.005, 1e-7, 10);
        int burnIn = p.integer("burn-in", 200, 0, 10_000_000);
        double momentum = p.number("momentum", 0.9, 0, 0.9999);
        double decay = p.number("decay", 5e-4, 0, 1);
        int threads = p.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        long seed = p.integer("seed", 1, 0, Integer.MAX_VALUE);
        float bn = (float) p.number("bn-momentum", bnMomentum, 0, 0.9999);
        return new TrainingOptions(epochs, batch, LearningRateSchedule.cosine(lr, burnIn), momentum, decay, bn,
                threads, seed, 0, name);
    }

    static AugmentOptions augment(CliOptions.Parsed p, NetworkSpec spec) {
        int w = spec.net().width();
        int h = spec.net().height();
        if (p.has("no-augment")) {
            return AugmentOptions.evaluation(w, h);
        }
        return AugmentOptions.defaults(w, h).withMosaic(p.number("mosaic", 0.5, 0, 1));
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = trainingFlags(new CliOptions("edgeslim train --cfg MODEL.cfg --data VOCDIR --out DIR [options]")
                .value("cfg", "FILE", "darknet cfg (required)")
                .value("weights", "FILE", "initial darknet weights (default: seeded random initialisation)")
                .value("data", "DIR", "VOCdevkit root (required)")
                .value("out", "DIR", "output folder (required)"));
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path data = p.requiredPath("data");
        Path outDir = p.requiredPath("out");
        TrainingOptions training = options(p, "train");
        int size = p.integer("size", 0, 32, 4096);
        if (size > 0 && size % 32 != 0) {
            throw new UsageException("--size must be a multiple of 32, got " + size);
        }
        int evalEvery = p.integer("eval-every", 5, 1, 100_000);
        NetworkSpec spec = TrainingInputs.spec(cfg, size);
        Path weightsFile = p.path("weights");
        WeightStore initial = weightsFile != null ? DarknetWeights.read(weightsFile, spec)
                : WeightInitializer.forTraining(spec, training.seed());
        TrainingInputs.Datasets sets = TrainingInputs.datasets(p, data, spec, cfg, weightsFile);
        OutputFolder.prepare(outDir, p.has("force"), p.has("resume"), OWN);
        sets.report(err, p.has("quiet"));
        long started = System.nanoTime();
        TrainingRun.Result result = TrainingRun.run(new TrainingRun.Config(spec, initial, sets.train(), sets.eval(),
                augment(p, spec), training, evalEvery, outDir, p.has("resume"), p.has("quiet") ? null : err),
                List.of(new DetectionLoss(LossOptions.defaults())), List.of(), List.of());
        double seconds = (System.nanoTime() - started) / 1e9;
        printSummary(out, p.has("json"), outDir, result, training, seconds);
        return OK;
    }

    static void printSummary(PrintStream out, boolean json, Path outDir, TrainingRun.Result result,
                             TrainingOptions training, double seconds) {
        printSummary(out, json, outDir, result, training, seconds, java.util.Map.of());
    }

    /** As above, with command-specific fields ({@code extra}) added to the JSON and the text summary. */
    static void printSummary(PrintStream out, boolean json, Path outDir, TrainingRun.Result result,
                             TrainingOptions training, double seconds, java.util.Map<String, Object> extra) {
        var steps = result.metrics().steps();
        double speed = steps.stream().skip(Math.min(steps.size() - 1, 5)).mapToDouble(s -> s.imagesPerSecond())
                .average().orElse(Double.NaN);
        double map = result.evaluation() == null ? Double.NaN : result.evaluation().result().map11Point();
        double mapAll = result.evaluation() == null ? Double.NaN : result.evaluation().result().mapAllPoint();
        if (json) {
            ObjectNode n = Json.object();
            n.put("out", outDir.toString());
            n.put("cfg", result.cfgFile().toString());
            n.put("weights", result.weightsFile().toString());
            n.put("epochs", training.epochs());
            n.put("iterations", steps.isEmpty() ? 0 : steps.get(steps.size() - 1).iteration() + 1);
            n.put("images_per_s", speed);
            n.put("map50", map);
            n.put("map50_all", mapAll);
            n.put("seconds", seconds);
            extra.forEach((k, v) -> n.putPOJO(k, v));
            out.println(Json.write(n));
        } else {
            out.printf("trained %s: %d epochs, %.1f images/s, %.0f s%n", result.weightsFile(), training.epochs(),
                    speed, seconds);
            if (!Double.isNaN(map)) {
                out.printf("mAP@0.5: %.4f (VOC07 11-point), %.4f (VOC2010+ all-point)%n", map, mapAll);
            }
            extra.forEach((k, v) -> out.printf("%s: %s%n", k, v));
        }
    }
}
