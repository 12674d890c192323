package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.compressor.distill.AttentionDistillation;
import dev.edgeslim.compressor.distill.DistillationPairs;
import dev.edgeslim.compressor.distill.FrozenTeacher;
import dev.edgeslim.compressor.distill.LayerPair;
import dev.edgeslim.compressor.distill.OutputDistillation;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.DetectionLoss;
import dev.edgeslim.detector.train.LossTerm;
import dev.edgeslim.detector.train.RunFolder;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.train.TrainingRun;
import dev.edgeslim.detector.train.loss.LossOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage 3: fine-tunes a pruned student with the detection loss plus, as configured, spatial-attention distillation
 * (a pair's weight w makes its term w·H·W·MSE(A_s, A_t) = w·‖A_s − A_t‖², so weights do not depend on the map size)
 * and output distillation from the unpruned teacher. Writes a training run folder.
 */
public final class DistillationStage {
    private PrintStream dataLog;

    /**
     * Where the one-pass data check says what it found ({@code data: ...} per split) before training: always when
     * progress is shown, else only when something was skipped or corrected. Without it, the progress stream.
     */
    public DistillationStage reportingData(PrintStream log) {
        this.dataLog = log;
        return this;
    }

    private final Path cfg;
    private final Path weights;
    private final Path teacherCfg;
    private final Path teacherWeights;
    private final Path data;
    private final DistillationConfig config;

    /** The teacher files may be null when {@code config} does not distill (plain fine-tuning). */
    public DistillationStage(Path cfg, Path weights, Path teacherCfg, Path teacherWeights, Path data,
                             DistillationConfig config) {
        this.cfg = cfg;
        this.weights = weights;
        this.teacherCfg = teacherCfg;
        this.teacherWeights = teacherWeights;
        this.data = data;
        this.config = config;
    }

    /** As {@link SparseTrainingStage#run}: {@code force} replaces, {@code resume} continues a folder's run. */
    public TrainingRun.Result run(Path out, boolean force, boolean resume, PrintStream progress) throws IOException {
        TrainingSettings settings = config.training();
        TrainingOptions training = settings.options(config.distills() ? "distill" : "finetune");
        DarknetModel student = DarknetModel.load(cfg, weights);
        NetworkSpec spec = settings.sized(student.spec());
        List<LossTerm> terms = new ArrayList<>();
        terms.add(new DetectionLoss(LossOptions.defaults()));
        if (config.distills()) {
            DarknetModel teacherModel = DarknetModel.load(teacherCfg, teacherWeights);
            NetworkSpec teacher = settings.sized(teacherModel.spec());
            FrozenTeacher frozen = new FrozenTeacher(teacher, teacherModel.weights());
            int[] toStudent = DistillationPairs.teacherToStudent(spec, teacher, teacherCfg.toString());
            if (config.attention()) {
                // pairs name the teacher's (the input model's) layers; removed residual blocks shift the student's
                String source = pairSource(config, cfg.toString());
                List<LayerPair> onTeacher = pairs(config, teacher);
                DistillationPairs.checkPairs(teacher, onTeacher, source);
                List<LayerPair> pairs = DistillationPairs.onStudent(onTeacher, toStudent, source);
                terms.add(new AttentionDistillation(frozen, scaled(spec, pairs)));
            }
            if (config.outputWeight() > 0) {
                terms.add(new OutputDistillation(frozen, config.outputWeight(), config.temperature()));
            }
        }
        TrainingData sets = TrainingData.open(data, settings, spec, cfg);
        sets.report(dataLog != null ? dataLog : progress, progress == null);
        OutputFolder.prepare(out, force, resume, RunFolder.OWN);
        return TrainingRun.run(new TrainingRun.Config(spec, student.weights(), sets.train(), sets.eval(),
                settings.augmentation(spec), training, settings.evaluationPeriod(), out, resume, progress), terms,
                List.of(), List.of());
    }

    /** The attention pairs of {@code config} on {@code spec}: given as text, from a file, or the automatic choice. */
    public static List<LayerPair> pairs(DistillationConfig config, NetworkSpec spec) {
        if (config.layers() != null) {
            return DistillationPairs.parse(config.layers(), config.attentionWeight(), "--layers");
        }
        if (config.layersFile() != null) {
            return DistillationPairs.read(config.layersFile(), config.attentionWeight());
        }
        return DistillationPairs.automatic(spec, config.attentionWeight());
    }

    /** Where the pairs come from, as errors name it; {@code automatic} names the automatic choice. */
    public static String pairSource(DistillationConfig config, String automatic) {
        return config.layers() != null ? "--layers" : config.layersFile() != null ? config.layersFile().toString()
                : automatic;
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
