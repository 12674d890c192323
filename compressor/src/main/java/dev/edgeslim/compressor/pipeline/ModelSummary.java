package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.compressor.bench.LatencyBenchmark;
import dev.edgeslim.compressor.bench.TensorFlowTimedModel;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.inference.DatasetEvaluation;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One row of a compression report: a model's mAP@0.5 in both VOC conventions and COCO's mAP@[.5:.95], parameters,
 * BFLOPs, weights file size and TF Java CPU latency (median after warm-up, batch 1), all measured here on the same machine.
 */
public record ModelSummary(String name, String cfg, String weights, double map07, double map12, double mapCoco,
                           long params, double bflops, long bytes, double latencyMs, int threads) {

    public static ModelSummary measure(String name, Path cfg, Path weightsFile, VocDataset eval, int threads,
                                       int latencyRuns) throws IOException {
        NetworkSpec spec = CfgParser.parse(cfg);
        WeightStore weights = DarknetWeights.read(weightsFile, spec);
        double map07 = Double.NaN;
        double map12 = Double.NaN;
        double mapCoco = Double.NaN;
        double latency;
        try (InferenceModel model = InferenceModel.create(spec, weights, threads)) {
            if (eval != null) {
                DatasetEvaluation.Outcome o = DatasetEvaluation.evaluate(model::run, spec, eval, 8,
                        DatasetEvaluation.evaluationOptions(), null);
                map07 = o.result().map11Point();
                map12 = o.result().mapAllPoint();
                mapCoco = o.result().mapCoco();
            }
            float[] input = new float[spec.net().width() * spec.net().height() * spec.net().channels()];
            java.util.Arrays.fill(input, 0.5f);
            TensorFlowTimedModel timed = new TensorFlowTimedModel(model); // closed with the model below
            latency = LatencyBenchmark.measure(List.of(timed), input, 1, 3, latencyRuns, () -> { })
                    .get(timed.name()).medianMs();
        }
        return new ModelSummary(name, cfg.toString(), weightsFile.toString(), map07, map12, mapCoco, spec.totalParams(),
                spec.totalFlops() / 1e9, Files.size(weightsFile), latency, threads);
    }
}
