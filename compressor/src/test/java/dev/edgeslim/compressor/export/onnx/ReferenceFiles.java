package dev.edgeslim.compressor.export.onnx;

import dev.edgeslim.compressor.export.tflite.ImageFolderCalibration;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this repository the ONNX tests read: the upstream cfgs in reference/cfg and the demo app's photos. */
final class ReferenceFiles {
    private ReferenceFiles() {
    }

    static Path root() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("reference").resolve("cfg"))) {
                return p;
            }
        }
        throw new IllegalStateException("reference/cfg not found above " + System.getProperty("user.dir"));
    }

    static Path cfg(String name) {
        return root().resolve("reference").resolve("cfg").resolve(name);
    }

    /** The demo app's sample photos (street scenes), letterboxed like inference input. */
    static ImageFolderCalibration photos() {
        return new ImageFolderCalibration(root().resolve("android-demo/src/main/assets/samples"), 3);
    }
}
