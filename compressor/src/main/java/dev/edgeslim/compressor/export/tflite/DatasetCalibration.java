package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.data.Augmenter;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.model.ResizeMode;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Calibration images from a VOC split (normally the training split, so the images a model is scored on never set
 * its quantization ranges): an evenly spaced selection of at most {@code maxImages}, each read with the dataset's
 * checks and fitted to the input as at inference.
 */
public final class DatasetCalibration implements CalibrationSource {
    private final VocDataset images;
    private final ResizeMode resizeMode;

    /** {@code resizeMode}: the calibrated model's input transform. */
    public DatasetCalibration(VocDataset dataset, int maxImages, ResizeMode resizeMode) {
        this.images = dataset.subset(maxImages);
        this.resizeMode = resizeMode;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public float[] image(int index, int width, int height) {
        try (Mat bgr = images.readImage(index)) {
            float[] out = new float[width * height * 3];
            Augmenter.fit(bgr, resizeMode, width, height, out, 0);
            return out;
        }
    }
}
