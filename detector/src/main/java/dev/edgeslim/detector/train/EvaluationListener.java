package dev.edgeslim.detector.train;

import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.inference.DatasetEvaluation;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.postprocess.RawModel;

import java.util.Map;

/**
 * Evaluates the model on a held-out VOC split every {@code every} epochs (and after the last one) and adds
 * {@code map50} (VOC07 11-point) and {@code map50_all} (VOC2010+ all-point) to the epoch results.
 */
public final class EvaluationListener implements TrainingListener {
    private final RawModel model;
    private final NetworkSpec spec;
    private final VocDataset dataset;
    private final int every;
    private final int totalEpochs;
    private final int batchSize;
    private DatasetEvaluation.Outcome last;

    public EvaluationListener(RawModel model, NetworkSpec spec, VocDataset dataset, int every, int totalEpochs,
                              int batchSize) {
        this.model = model;
        this.spec = spec;
        this.dataset = dataset;
        this.every = Math.max(1, every);
        this.totalEpochs = totalEpochs;
        this.batchSize = batchSize;
    }

    @Override
    public void onEpochEnd(int epoch, long iteration, Map<String, Double> results) {
        boolean lastEpoch = epoch + 1 == totalEpochs;
        if ((epoch + 1) % every != 0 && !lastEpoch) {
            return;
        }
        last = DatasetEvaluation.evaluate(model, spec, dataset, batchSize, DatasetEvaluation.evaluationOptions(), null);
        results.put("map50", last.result().map11Point());
        results.put("map50_all", last.result().mapAllPoint());
    }

    /** The most recent evaluation, or null. */
    public DatasetEvaluation.Outcome last() {
        return last;
    }
}
