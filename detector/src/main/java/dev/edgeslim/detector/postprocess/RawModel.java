package dev.edgeslim.detector.postprocess;

/**
 * Whatever runs the network: TF Java (the constant inference graph or a training session's inference tower),
 * OpenCV DNN, TFLite, ONNX Runtime, the TFLite interpreter on a phone. Letterboxed NHWC float images in
 * ({@code batch * netH * netW * 3}, RGB in [0, 1]); the raw outputs of the convolutions feeding the {@code [yolo]}
 * layers out, one flat NHWC float array per head (batch-major) in the order of the {@link YoloHead} list given to
 * {@link Detector}. Quantized models dequantize their outputs ({@link Quantization#dequantize}) before returning.
 * Evaluation, the detector, benchmarks and the app all see a runtime through this one interface.
 */
@FunctionalInterface
public interface RawModel {
    float[][] run(float[] nhwc, int batch);

    /** One image. */
    default float[][] run(float[] nhwcImage) {
        return run(nhwcImage, 1);
    }
}
