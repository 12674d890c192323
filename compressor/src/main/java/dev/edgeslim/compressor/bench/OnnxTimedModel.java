package dev.edgeslim.compressor.bench;

import dev.edgeslim.compressor.export.onnx.OnnxRunner;

/**
 * An exported ONNX model in ONNX Runtime ({@link OnnxRunner}) as a benchmarked runtime: NHWC images in (reordered to
 * the model's NCHW on every run, as an app would), head maps copied out.
 */
public final class OnnxTimedModel implements TimedModel {
    private final String name;
    private final OnnxRunner runner;

    /** {@code name} e.g. "onnx-int8". */
    public OnnxTimedModel(String name, OnnxRunner runner) {
        this.name = name;
        this.runner = runner;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void run(float[] nhwc, int batch) {
        runner.run(nhwc, batch);
    }

    @Override
    public void close() {
        runner.close();
    }
}
