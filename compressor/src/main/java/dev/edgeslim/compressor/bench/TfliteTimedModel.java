package dev.edgeslim.compressor.bench;

import dev.edgeslim.compressor.export.tflite.TfliteRunner;

import java.util.Arrays;

/**
 * An exported .tflite model on the TFLite runtime ({@link TfliteRunner}) as a benchmarked runtime. The models
 * have batch 1, so a batch runs image by image; int8 models take the same float input (quantized on the way
 * in, outputs dequantized on the way out, as an app would).
 */
public final class TfliteTimedModel implements TimedModel {
    private final String name;
    private final TfliteRunner runner;

    /** {@code name} e.g. "tflite-int8". */
    public TfliteTimedModel(String name, TfliteRunner runner) {
        this.name = name;
        this.runner = runner;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void run(float[] nhwc, int batch) {
        int per = runner.input().elements();
        if (batch < 1 || nhwc.length != (long) per * batch) {
            throw new IllegalArgumentException("expected " + batch + " images of " + per + " values");
        }
        for (int b = 0; b < batch; b++) {
            runner.run(batch == 1 ? nhwc : Arrays.copyOfRange(nhwc, b * per, (b + 1) * per));
        }
    }

    @Override
    public void close() {
        runner.close();
    }
}
