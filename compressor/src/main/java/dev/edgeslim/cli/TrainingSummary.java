package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.train.TrainingRun;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a training command prints when it is done, as text or ({@code --json}) the fields {@code out, cfg, weights,
 * epochs, iterations, images_per_s, map50 (VOC07 11-point), map50_all (VOC2010+ all-point), seconds} plus the
 * command's own.
 */
final class TrainingSummary {
    private TrainingSummary() {
    }

    /** {@code extra}: command-specific fields added to the JSON and the text. */
    static void print(PrintStream out, boolean json, Path outDir, TrainingRun.Result result, TrainingOptions training,
                      double seconds, Map<String, Object> extra) {
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
