package dev.edgeslim.compressor.export.onnx;

import java.nio.file.Path;

/** The repository files the ONNX tests read, found through the detector's one lookup of the repository. */
final class ReferenceFiles {
    private ReferenceFiles() {
    }

    static Path cfg(String name) {
        return dev.edgeslim.detector.ReferenceFiles.cfg(name);
    }
}
