package dev.edgeslim.detector.inference;

/**
 * Any runtime that maps a batch of letterboxed NHWC RGB [0,1] images to the raw logits feeding each [yolo]
 * layer (one flat NHWC array per head, batch-major): TF Java, OpenCV DNN, TFLite, or a training session's
 * inference tower. Lets evaluation and benchmarks treat them alike.
 */
@FunctionalInterface
public interface BatchInference {
    float[][] run(float[] nhwc, int batch);
}
