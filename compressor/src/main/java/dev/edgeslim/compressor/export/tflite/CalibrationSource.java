package dev.edgeslim.compressor.export.tflite;

/**
 * Images for int8 calibration, prepared exactly as the model's input at inference: letterboxed to the
 * network size (aspect ratio kept, centred, borders grey 0.5), RGB, values in [0, 1], NHWC.
 */
public interface CalibrationSource {

    /** Number of images available. */
    int size();

    /**
     * Image {@code index} (0 ≤ index < size()) letterboxed to {@code width} × {@code height}:
     * {@code height · width · 3} floats, row-major, RGB interleaved.
     */
    float[] image(int index, int width, int height);
}
