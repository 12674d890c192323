package dev.edgeslim.cli;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.graph.CoupledSet;
import dev.edgeslim.compressor.prune.AutoGroups;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.sparsity.AutoStrength;
import dev.edgeslim.compressor.sparsity.GammaL1Regularizer;
import dev.edgeslim.compressor.sparsity.GammaReport;
import dev.edgeslim.compressor.sparsity.SparsitySchedule;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.DetectionLoss;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.train.TrainingRun;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code edgeslim sparse-train}: stage 1, training with an L1 penalty on the BN γ of prunable convolutions (those
 * whose channels the channel-dependency graph can remove), under a constant, dynamic (the paper's) or linear
 * schedule. Writes what {@code train} writes plus {@code gamma-stats.json} and {@code gamma/<group>.png}.
 * JSON fields: those of {@code train}, plus {@code schedule, strength, gamma_lt_0.01}.
 */
public final class SparseTrainCommand implements Command {
    static final Set<String> OWN;

    static {
        Set<String> own = new HashSet<>(TrainCommand.OWN);
        own.add(GammaReport.FILE);
        own.add("gamma");
        OWN = Set.copyOf(own);
    }

    @Override
    public String name() {
        return "sparse-train";
    }

    @Override
    public String summary() {
        return "stage 1: sparse training (L1 on BN γ with a constant/dynamic/linear schedule)";
    }

    /** {@code --reach}, which only the automatic strength uses (compress checks it with this too). */
    static double reach(CliOptions.Parsed p) {
        if (p.has("reach") && !p.string("strength", "auto").equals("auto")) {
            throw new UsageException("--reach sizes the automatic strength; it cannot be combined with --strength S");
        }
        return p.number("reach", AutoStrength.DEFAULT_REACH, 0.01, 100);
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = TrainCommand.trainingFlags(new CliOptions(
                "edgeslim sparse-train --cfg MODEL.cfg --weights W --data VOCDIR --out DIR [options]")
                .value("cfg", "FILE", "darknet cfg (required)")
                .value("weights", "FILE", "trained darknet weights to start from (required)")
                .value("data", "DIR", "VOCdevkit root (required)")
                .value("out", "DIR", "output folder (required)")
                .value("schedule", "NAME", "constant, dynamic or linear (default dynamic)")
                .value("strength", "S", "L1 strength s, or 'auto': sized to the run so the penalty alone could move the"
                        + " median |γ| 1.5 times its size to zero (default auto)")
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
        // γ shrinks fast under the penalty; with the usual 0.99 the BN moving statistics lag behind the shrinking
        // activations and the lag compounds layer by layer at inference (measured: mAP 0 after one epoch while the
        // training loss was unchanged). 0.9 (PyTorch's default) tracks within ~10 iterations.
        TrainingOptions training = TrainCommand.options(p, "sparse", 0.9);
        boolean autoStrength = p.string("strength", "auto").equals("auto");
        double reach = reach(p);
        SparsitySchedule schedule;
        try {
            schedule = SparsitySchedule.parse(p.string("schedule", "dynamic"),
                            autoStrength ? 0 : p.number("strength", 0, 0, 1))
                    .withWarmup(p.number("warmup", 0.5, 0, 1))
                    .withPercentile(p.number("percentile", 65, 0.01, 99.99));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        int size = p.integer("size", 0, 32, 4096);
        int evalEvery = p.integer("eval-every", 5, 1, 100_000);
        NetworkSpec spec = TrainingInputs.spec(cfg, size);
        WeightStore initial = DarknetWeights.read(weightsFile, spec);
        TrainingInputs.Datasets sets = TrainingInputs.datasets(p, data, spec, cfg, weightsFile);
        String nothing = ChannelGraph.of(spec).whyNothingIsPrunable();
        if (nothing != null) {
            throw new BadInputException(cfg, "no channel of this network can be pruned: " + nothing);
        }
        Set<Integer> prunable = prunableLayers(spec);
        if (autoStrength) {
            long iterations = (long) training.epochs()
                    * ((sets.train().size() + training.batchSize() - 1) / training.batchSize());
            schedule = schedule.withStrength(AutoStrength.of(prunableGammas(initial, prunable), training.schedule(),
                    schedule, iterations, training.momentum(), reach));
        }
        OutputFolder.prepare(outDir, p.has("force"), p.has("resume"), OWN);
        sets.report(err, p.has("quiet"));
        long started = System.nanoTime();
        final NetworkSpec model = spec;
        TrainingRun.Result result = TrainingRun.run(new TrainingRun.Config(spec, initial, sets.train(), sets.eval(),
                        TrainCommand.augment(p, spec), training, evalEvery, outDir, p.has("resume"),
                        p.has("quiet") ? null : err),
                List.of(new DetectionLoss(LossOptions.defaults())),
                List.of(new GammaL1Regularizer(prunable, schedule)),
                trainer -> List.of(new GammaReport(trainer::weights, initial,
                        AutoGroups.groups(model, GroupOptions.ratio(0)), prunable, outDir)));
        java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>();
        extra.put("schedule", schedule.kind().name().toLowerCase(java.util.Locale.ROOT));
        extra.put("strength", schedule.strength());
        extra.put("strength_auto", autoStrength);
        var epochs = result.metrics().epochs();
        if (!epochs.isEmpty() && epochs.get(epochs.size() - 1).results().containsKey("gamma_lt_0.01")) {
            extra.put("gamma_lt_0.01", epochs.get(epochs.size() - 1).results().get("gamma_lt_0.01"));
        }
        TrainCommand.printSummary(out, p.has("json"), outDir, result, training, (System.nanoTime() - started) / 1e9,
                extra);
        return OK;
    }

    private static float[] prunableGammas(WeightStore w, Set<Integer> prunable) {
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

    /** Convolutions whose output channels the channel-dependency graph allows to remove. */
    static Set<Integer> prunableLayers(NetworkSpec spec) {
        Set<Integer> layers = new TreeSet<>();
        for (CoupledSet set : ChannelGraph.of(spec).sets()) {
            if (set.prunable()) {
                layers.addAll(set.convLayers());
            }
        }
        return layers;
    }
}
