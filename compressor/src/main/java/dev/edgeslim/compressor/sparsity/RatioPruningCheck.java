package dev.edgeslim.compressor.sparsity;

import dev.edgeslim.compressor.graph.ChannelGraph;
import dev.edgeslim.compressor.prune.AutoGroups;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.prune.GroupPlanner;
import dev.edgeslim.compressor.prune.ModelSurgeon;
import dev.edgeslim.compressor.prune.PlanRule;
import dev.edgeslim.compressor.prune.PrunedNetwork;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.eval.EvalResult;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.inference.DatasetEvaluation;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.RunFolder;

import java.nio.file.Files;

/**
 * How much a sparse-trained model keeps when pruned at a fixed ratio with automatic groups, without fine-tuning:
 * the pruned network and its mAP. Comparing sparse-training runs by this shows which one made channels removable.
 *
 * @param original the sparse-trained network before pruning
 */
public record RatioPruningCheck(NetworkSpec original, NetworkSpec pruned, EvalResult result) {

    /** Prunes the final model of the sparse-training run {@code run} at {@code ratio} and evaluates it on {@code eval}. */
    public static RatioPruningCheck of(RunFolder run, double ratio, VocDataset eval, int threads) {
        if (!Files.isRegularFile(run.weights())) {
            throw new BadInputException(run.weights(), "no such file (has this sparse-train run finished?)");
        }
        DarknetModel model = run.model();
        NetworkSpec spec = model.spec();
        if (eval.classes().size() != spec.classes()) {
            throw new BadInputException(run.cfg(), "the model has " + spec.classes() + " classes but the dataset has "
                    + eval.classes().size());
        }
        GroupPlanner planner = new GroupPlanner(ChannelGraph.of(spec),
                AutoGroups.groups(spec, GroupOptions.ratio(ratio)), PlanRule.UNION);
        PrunedNetwork pruned = ModelSurgeon.prune(planner.graph(), model.weights(), planner.plan(model.weights()));
        try (InferenceModel inference = InferenceModel.create(pruned.spec(), pruned.weights(), threads)) {
            DatasetEvaluation.Outcome o = DatasetEvaluation.evaluate(inference::run, pruned.spec(), eval, 8,
                    DatasetEvaluation.evaluationOptions(), null);
            return new RatioPruningCheck(spec, pruned.spec(), o.result());
        }
    }
}
