package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.DetectionLoss;
import dev.edgeslim.detector.train.RunFolder;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.train.TrainingRun;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** Training a model with the YOLOv4 loss, from darknet weights or a seeded initialisation: the baseline to compress. */
public final class TrainingStage {
    private PrintStream dataLog;

    /**
     * Where the one-pass data check says what it found ({@code data: ...} per split) before training: always when
     * progress is shown, else only when something was skipped or corrected. Without it, the progress stream.
     */
    public TrainingStage reportingData(PrintStream log) {
        this.dataLog = log;
        return this;
    }

    private final Path cfg;
    private final Path weights;
    private final Path data;
    private final TrainingSettings settings;

    /** @param weights initial weights, or null for the seeded random initialisation */
    public TrainingStage(Path cfg, Path weights, Path data, TrainingSettings settings) {
        this.cfg = cfg;
        this.weights = weights;
        this.data = data;
        this.settings = settings;
    }

    /** As {@link SparseTrainingStage#run}: {@code force} replaces, {@code resume} continues a folder's run. */
    public TrainingRun.Result run(Path out, boolean force, boolean resume, PrintStream progress) throws IOException {
        TrainingOptions training = settings.options("train");
        NetworkSpec spec;
        WeightStore initial;
        if (weights != null) {
            DarknetModel model = DarknetModel.load(cfg, weights);
            spec = settings.sized(model.spec());
            initial = model.weights();
        } else {
            spec = settings.sized(CfgParser.parse(cfg));
            initial = WeightInitializer.forTraining(spec, training.seed());
        }
        TrainingData sets = TrainingData.open(data, settings, spec, cfg);
        sets.report(dataLog != null ? dataLog : progress, progress == null);
        OutputFolder.prepare(out, force, resume, RunFolder.OWN);
        return TrainingRun.run(new TrainingRun.Config(spec, initial, sets.train(), sets.eval(),
                settings.augmentation(spec), training, settings.evaluationPeriod(), out, resume, progress),
                List.of(new DetectionLoss(LossOptions.defaults())), List.of(), List.of());
    }
}
