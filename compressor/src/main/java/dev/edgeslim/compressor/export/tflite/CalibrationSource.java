package dev.edgeslim.compressor.export.tflite;

/**
 * Images for int8 calibration, prepared exactly as the model's input at inference: fitted to the network size by
 * the model's input transform (stretched or letterboxed, as its cfg says), RGB, values in [0, 1], NHWC.
 */
public interface CalibrationSource {

    /** Number of images available. */
    int size();

    /**
     * Image {@code index} (0 ≤ index < size()) fitted to {@code width} × {@code height}:
     * {@code height · width · 3} floats, row-major, RGB interleaved.
     */
    float[] image(int index, int width, int height);
}
