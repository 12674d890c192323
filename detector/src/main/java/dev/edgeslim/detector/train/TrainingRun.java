package dev.edgeslim.detector.train;

import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.AugmentOptions;
import dev.edgeslim.detector.data.Augmenter;
import dev.edgeslim.detector.data.BatchLoader;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.eval.EvalReport;
import dev.edgeslim.detector.inference.DatasetEvaluation;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A complete training run into an output folder, the way every stage trains: the one {@link Trainer} with the
 * stage's loss terms and gradient modifiers, the standard listeners (progress bar, {@code metrics.jsonl},
 * {@code curves.png}, periodic evaluation), checkpoints in {@code checkpoints/} with exact resume, and at the end
 * {@code model.cfg}, {@code final.weights} and the evaluation report in {@code eval/}.
 */
public final class TrainingRun {
    // the folder's names, as RunFolder spells them
    public static final String CFG = RunFolder.CFG;
    public static final String WEIGHTS = RunFolder.WEIGHTS;
    public static final String METRICS = RunFolder.METRICS;
    public static final String CURVES = RunFolder.CURVES;
    public static final String CHECKPOINTS = RunFolder.CHECKPOINTS;
    public static final String EVAL = RunFolder.EVAL;
    public static final String NAMES = RunFolder.NAMES;
    public static final java.util.Set<String> OWN = RunFolder.OWN;

    /** What to train, on what, and where. {@code eval} may be null (no evaluation). */
    public record Config(NetworkSpec spec, WeightStore initial, VocDataset train, VocDataset eval,
                         AugmentOptions augment, TrainingOptions options, int evalEvery, Path outDir,
                         boolean resume, PrintStream progress) {
    }

    /** The trained weights, where they were written, and the last evaluation (null without an eval set). */
    public record Result(WeightStore weights, Path cfgFile, Path weightsFile, DatasetEvaluation.Outcome evaluation,
                         MetricsLog metrics) {
    }

    private TrainingRun() {
    }

    public static Result run(Config c, List<LossTerm> terms, List<GradientModifier> modifiers,
                             List<TrainingListener> extraListeners) throws IOException {
        return run(c, terms, modifiers, trainer -> extraListeners);
    }

    /** As above, with listeners that need the trainer itself (e.g. to read the current weights each epoch). */
    public static Result run(Config c, List<LossTerm> terms, List<GradientModifier> modifiers,
                             java.util.function.Function<Trainer, List<TrainingListener>> extraListeners)
            throws IOException {
        Files.createDirectories(c.outDir());
        // recorded before training: a run stopped half-way still says which classes its checkpoints detect
        c.train().classes().write(c.outDir().resolve(NAMES));
        TrainingOptions o = c.options();
        CheckpointStore checkpoints = new CheckpointStore(c.outDir().resolve(CHECKPOINTS));
        boolean resuming = c.resume() && checkpoints.exists();
        if (c.resume()) {
            // a killed run may have left temp files of its writes; nothing reads them, but they should not pile up
            OutputFolder.removeStaleTemps(c.outDir(), OWN);
        }
        try (Trainer trainer = new Trainer(c.spec(), c.initial(), terms, modifiers, o)) {
            Augmenter augmenter = new Augmenter(c.augment(), c.spec().net().resizeMode());
            BatchLoader.Options loaderOptions = BatchLoader.Options.defaults(o.batchSize(), o.seed());
            int perEpoch;
            try (BatchLoader probe = new BatchLoader(c.train(), augmenter, loaderOptions.withPrefetch(1))) {
                perEpoch = probe.batchesPerEpoch();
            }
            BatchSource source = new BatchSource() {
                @Override
                public int batchesPerEpoch() {
                    return perEpoch;
                }

                @Override
                public BatchLoader open(int epoch, int batchIndex) {
                    return new BatchLoader(c.train(), augmenter, loaderOptions, epoch, batchIndex);
                }
            };
            MetricsLog metrics = new MetricsLog(c.outDir().resolve(METRICS), 1);
            if (resuming) {
                metrics.resumeFrom(checkpoints.load(c.spec()).state().iteration());
            }
            List<TrainingListener> listeners = new ArrayList<>();
            if (c.progress() != null) {
                listeners.add(new ProgressListener(o.name(), c.progress()));
            }
            EvaluationListener evaluation = null;
            if (c.eval() != null) {
                evaluation = new EvaluationListener(trainer.asInference(), c.spec(), c.eval(), c.evalEvery(),
                        o.epochs(), o.batchSize());
                listeners.add(0, evaluation); // first, so later listeners see its results
            }
            // a stage's own listeners before the log, so results they add (e.g. the near-zero γ fraction) are logged
            listeners.addAll(extraListeners.apply(trainer));
            listeners.add(metrics);
            listeners.add(new TrainingCurves(metrics, c.outDir().resolve(CURVES), o.name()));
            WeightStore trained = trainer.train(source, checkpoints, c.resume(), listeners);
            Path cfgFile = c.outDir().resolve(CFG);
            Path weightsFile = c.outDir().resolve(WEIGHTS);
            new DarknetModel(c.spec(), trained).write(cfgFile, weightsFile);
            DatasetEvaluation.Outcome outcome = null;
            if (evaluation != null) {
                outcome = evaluation.last();
                if (outcome == null) { // resumed after the last epoch's evaluation: evaluate now
                    outcome = DatasetEvaluation.evaluate(trainer.asInference(), c.spec(), c.eval(), o.batchSize(),
                            DatasetEvaluation.evaluationOptions(), null);
                }
                EvalReport.writeAll(c.outDir().resolve(EVAL), o.name(), outcome.result());
            }
            return new Result(trained, cfgFile, weightsFile, outcome, metrics);
        }
    }
}
