package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.compressor.prune.AutoGroups;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.sparsity.AutoStrength;
import dev.edgeslim.compressor.sparsity.ChannelCosts;
import dev.edgeslim.compressor.sparsity.GammaL1Regularizer;
import dev.edgeslim.compressor.sparsity.GammaReport;
import dev.edgeslim.compressor.sparsity.SparsitySchedule;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.DetectionLoss;
import dev.edgeslim.detector.train.RunFolder;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.train.TrainingRun;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Stage 1: trains a model with an L1 penalty on the BN γ of its prunable convolutions (those whose channels the
 * channel-dependency graph can remove). Writes a training run folder plus {@code gamma-stats.json} and
 * {@code gamma/<group>.png}.
 */
public final class SparseTrainingStage {
    private PrintStream dataLog;

    /**
     * Where the one-pass data check says what it found ({@code data: ...} per split) before training: always when
     * progress is shown, else only when something was skipped or corrected. Without it, the progress stream.
     */
    public SparseTrainingStage reportingData(PrintStream log) {
        this.dataLog = log;
        return this;
    }

    /** Everything the stage writes into its folder. */
    public static final Set<String> OWN;

    static {
        Set<String> own = new HashSet<>(RunFolder.OWN);
        own.add(GammaReport.FILE);
        own.add("gamma");
        OWN = Set.copyOf(own);
    }

    private final Path cfg;
    private final Path weights;
    private final Path data;
    private final SparseTrainingConfig config;

    /** Sparse training of the model {@code cfg}/{@code weights} on the VOCdevkit {@code data}. */
    public SparseTrainingStage(Path cfg, Path weights, Path data, SparseTrainingConfig config) {
        this.cfg = cfg;
        this.weights = weights;
        this.data = data;
        this.config = config;
    }

    /**
     * The training run, the schedule it used (with the strength sized when automatic) and the last epoch's
     * fraction of prunable |γ| below 0.01 (null when not measured).
     */
    public record Result(TrainingRun.Result run, SparsitySchedule schedule, Object gammaBelow001) {
    }

    /**
     * Trains into {@code out}: a non-empty folder needs {@code force} (EdgeSlim's files in it are replaced) or
     * {@code resume} (continues from its last checkpoint, repeating the uninterrupted run exactly).
     *
     * @param progress where progress bars go, or null
     */
    public Result run(Path out, boolean force, boolean resume, PrintStream progress) throws IOException {
        TrainingSettings settings = config.training();
        TrainingOptions training = settings.options("sparse");
        DarknetModel model = DarknetModel.load(cfg, weights);
        NetworkSpec spec = settings.sized(model.spec());
        WeightStore initial = model.weights();
        TrainingData sets = TrainingData.open(data, settings, spec, cfg);
        sets.report(dataLog != null ? dataLog : progress, progress == null);
        String nothing = ChannelGraph.of(spec).whyNothingIsPrunable();
        if (nothing != null) {
            throw new BadInputException(cfg, "no channel of this network can be pruned: " + nothing);
        }
        Set<Integer> prunable = prunableLayers(spec);
        SparsitySchedule schedule = config.sparsitySchedule();
        if (config.strength() == null) {
            long iterations = (long) training.epochs()
                    * ((sets.train().size() + training.batchSize() - 1) / training.batchSize());
            schedule = schedule.withStrength(AutoStrength.of(prunableGammas(initial, prunable), training.schedule(),
                    schedule, iterations, training.momentum(), config.reach()));
        }
        OutputFolder.prepare(out, force, resume, OWN);
        TrainingRun.Result result = TrainingRun.run(new TrainingRun.Config(spec, initial, sets.train(), sets.eval(),
                        settings.augmentation(spec), training, settings.evaluationPeriod(), out, resume, progress),
                List.of(new DetectionLoss(LossOptions.defaults())),
                List.of(new GammaL1Regularizer(prunable, schedule,
                        ChannelCosts.weights(ChannelGraph.of(spec), config.weighting()))),
                trainer -> List.of(new GammaReport(trainer::weights, initial,
                        AutoGroups.groups(spec, GroupOptions.ratio(0)), prunable, out)));
        var epochs = result.metrics().epochs();
        Object below = epochs.isEmpty() ? null : epochs.get(epochs.size() - 1).results().get("gamma_lt_0.01");
        return new Result(result, schedule, below);
    }

    /** Convolutions whose output channels the channel-dependency graph allows to remove. */
    public static Set<Integer> prunableLayers(NetworkSpec spec) {
        Set<Integer> layers = new TreeSet<>();
        for (CoupledSet set : ChannelGraph.of(spec).sets()) {
            if (set.prunable()) {
                layers.addAll(set.convLayers());
            }
        }
        return layers;
    }

    /** The γ of every prunable layer, concatenated: what the automatic strength is sized from. */
    static float[] prunableGammas(WeightStore w, Set<Integer> prunable) {
        int n = 0;
        for (int layer : prunable) {
            float[] g = w.conv(layer).scales();
            n += g == null ? 0 : g.length;
        }
        float[] all = new float[n];
        int at = 0;
        for (int layer : prunable) {
            float[] g = w.conv(layer).scales();
            if (g != null) {
                System.arraycopy(g, 0, all, at, g.length);
                at += g.length;
            }
        }
        return all;
    }
}
