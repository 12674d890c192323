package dev.edgeslim.compressor.export.onnx;

import dev.edgeslim.compressor.export.tflite.ImageFolderCalibration;

import java.nio.file.Path;

/** The repository files the ONNX tests read, found through the detector's one lookup of the repository. */
final class ReferenceFiles {
    private ReferenceFiles() {
    }

    static Path cfg(String name) {
        return dev.edgeslim.detector.ReferenceFiles.cfg(name);
    }

    /** The demo app's sample photos (street scenes), letterboxed like inference input. */
    static ImageFolderCalibration photos() {
        return new ImageFolderCalibration(dev.edgeslim.detector.ReferenceFiles.root().getParent()
                .resolve("android-demo/src/main/assets/samples"), 3);
    }
}
