package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.model.ResizeMode;

/** The demo app's three sample photos (street scenes): real-content test and calibration images. */
public final class SamplePhotos {
    private SamplePhotos() {
    }

    /** The photos, fitted by {@code mode} like inference input. */
    public static ImageFolderCalibration fitted(ResizeMode mode) {
        return new ImageFolderCalibration(ReferenceFiles.root().getParent()
                .resolve("android-demo/src/main/assets/samples"), 3, mode);
    }
}
