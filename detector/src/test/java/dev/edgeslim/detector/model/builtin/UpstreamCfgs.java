package dev.edgeslim.detector.model.builtin;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the upstream darknet cfgs (shared/cfg) by walking up from the working directory. */
final class UpstreamCfgs {
    private UpstreamCfgs() {
    }

    static Path get(String fileName) {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("cfg").resolve(fileName);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/cfg/" + fileName + " not found above " + dir);
    }
}
