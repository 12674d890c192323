package dev.edgeslim.detector.postprocess;

/**
 * Whatever runs the network (TF Java on the desktop, TFLite on the phone): one letterboxed NHWC float image in
 * ({@code netH * netW * 3}, RGB in [0, 1]), the raw outputs of the convolutions feeding the {@code [yolo]}
 * layers out, one flat NHWC float array per head in the order of the {@link YoloHead} list given to
 * {@link Detector}. Quantized models dequantize their outputs ({@link Quantization#dequantize}) before
 * returning.
 */
public interface RawModel {
    float[][] run(float[] nhwcInput);
}
