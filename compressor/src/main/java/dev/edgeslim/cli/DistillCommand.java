package dev.edgeslim.cli;

import dev.edgeslim.compressor.distill.AttentionDistillation;
import dev.edgeslim.compressor.distill.DistillationPairs;
import dev.edgeslim.compressor.distill.FrozenTeacher;
import dev.edgeslim.compressor.distill.LayerPair;
import dev.edgeslim.compressor.distill.OutputDistillation;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.DetectionLoss;
import dev.edgeslim.detector.train.LossTerm;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.train.TrainingRun;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code edgeslim distill}: stage 3, fine-tunes a pruned student with the detection loss plus spatial-attention
 * distillation from the unpruned teacher. Layer pairs are chosen automatically (end of each backbone stride stage
 * and each neck output read by a head) or given with {@code --layers 12:1.0,34}. A pair's weight w makes its term
 * w·H·W·MSE(A_s, A_t) = w·‖A_s − A_t‖² (so weights do not depend on the map size). {@code --no-attention} gives
 * the plain fine-tuning baseline of the ablation. {@code --output-weight W} (with {@code --temperature T}) adds
 * output distillation: the teacher's softened objectness and class scores as targets ({@link OutputDistillation}).
 * Writes what {@code train} writes.
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
        CliOptions options = TrainCommand.trainingFlags(new CliOptions("edgeslim distill --cfg STUDENT.cfg --weights W "
                + "--teacher-cfg T.cfg --teacher-weights TW --data VOCDIR --out DIR [options]")
                .value("cfg", "FILE", "student (pruned) cfg (required)")
                .value("weights", "FILE", "student weights (required)")
                .value("teacher-cfg", "FILE", "teacher (unpruned) cfg (required unless no distillation term is on)")
                .value("teacher-weights", "FILE", "teacher weights (required with --teacher-cfg)")
                .value("data", "DIR", "VOCdevkit root (required)")
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
        boolean attention = !p.has("no-attention");
        double outputWeight = p.number("output-weight", 0, 0, 1e6);
        double temperature = p.number("temperature", 2, 0.01, 100);
        boolean teacherNeeded = attention || outputWeight > 0;
        Path teacherCfg = teacherNeeded ? p.requiredPath("teacher-cfg") : null;
        Path teacherWeightsFile = teacherNeeded ? p.requiredPath("teacher-weights") : null;
        double weight = p.number("attention-weight", 20, 0, 1e6);
        pairSource(p, cfg.toString()); // a usage error here, before any file is read
        TrainingOptions training = TrainCommand.options(p, teacherNeeded ? "distill" : "finetune");
        int size = p.integer("size", 0, 32, 4096);
        int evalEvery = p.integer("eval-every", 5, 1, 100_000);

        NetworkSpec spec = TrainingInputs.spec(cfg, size);
        WeightStore initial = DarknetWeights.read(weightsFile, spec);
        List<LossTerm> terms = new ArrayList<>();
        terms.add(new DetectionLoss(LossOptions.defaults()));
        if (teacherNeeded) {
            NetworkSpec teacher = TrainingInputs.spec(teacherCfg, size);
            FrozenTeacher frozen = new FrozenTeacher(teacher, DarknetWeights.read(teacherWeightsFile, teacher));
            DistillationPairs.checkTopology(spec, teacher, teacherCfg.toString());
            if (attention) {
                List<LayerPair> pairs = pairs(p, spec, weight);
                DistillationPairs.checkPairs(spec, pairs, pairSource(p, cfg.toString()));
                terms.add(new AttentionDistillation(frozen, scaled(spec, pairs)));
            }
            if (outputWeight > 0) {
                terms.add(new OutputDistillation(frozen, outputWeight, temperature));
            }
        }
        TrainingInputs.Datasets sets = TrainingInputs.datasets(p, data, spec, cfg, weightsFile);
        OutputFolder.prepare(outDir, p.has("force"), p.has("resume"), TrainCommand.OWN);
        sets.report(err, p.has("quiet"));
        long started = System.nanoTime();
        TrainingRun.Result result = TrainingRun.run(new TrainingRun.Config(spec, initial, sets.train(), sets.eval(),
                TrainCommand.augment(p, spec), training, evalEvery, outDir, p.has("resume"),
                p.has("quiet") ? null : err), terms, List.of(), List.of());
        TrainCommand.printSummary(out, p.has("json"), outDir, result, training, (System.nanoTime() - started) / 1e9);
        return OK;
    }

    /**
     * Where the layer pairs come from, as errors name it: {@code --layers}, the {@code --layers-file}, or
     * {@code automatic} (the student cfg's automatic choice). Giving both flags is a usage error.
     */
    static String pairSource(CliOptions.Parsed p, String automatic) {
        if (p.has("layers") && p.has("layers-file")) {
            throw new UsageException("give --layers or --layers-file, not both");
        }
        return p.has("layers") ? "--layers" : p.has("layers-file") ? p.string("layers-file", "") : automatic;
    }

    /** The pairs of {@code --layers}, {@code --layers-file} or the automatic choice. */
    static List<LayerPair> pairs(CliOptions.Parsed p, NetworkSpec spec, double weight) {
        pairSource(p, "");
        if (p.has("layers")) {
            return DistillationPairs.parse(p.string("layers", ""), weight, "--layers");
        }
        if (p.has("layers-file")) {
            return DistillationPairs.read(p.path("layers-file"), weight);
        }
        return DistillationPairs.automatic(spec, weight);
    }

    /** w·H·W so that the MSE over the map becomes the squared distance between the normalised maps. */
    static List<LayerPair> scaled(NetworkSpec spec, List<LayerPair> pairs) {
        List<LayerPair> out = new ArrayList<>();
        for (LayerPair pair : pairs) {
            var s = spec.shapeOf(pair.studentLayer());
            out.add(new LayerPair(pair.studentLayer(), pair.teacherLayer(), pair.weight() * s.height() * s.width()));
        }
        return out;
    }
}
