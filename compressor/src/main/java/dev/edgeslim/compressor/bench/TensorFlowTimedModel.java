package dev.edgeslim.compressor.bench;

import dev.edgeslim.detector.graph.InferenceModel;

/** TF Java ({@link InferenceModel}: constant graph, BN folded) as a benchmarked runtime. */
public final class TensorFlowTimedModel implements TimedModel {
    private final InferenceModel model;

    public TensorFlowTimedModel(InferenceModel model) {
        this.model = model;
    }

    @Override
    public String name() {
        return "tensorflow-java";
    }

    @Override
    public void run(float[] nhwc, int batch) {
        model.run(nhwc, batch);
    }

    @Override
    public void close() {
        model.close();
    }
}
