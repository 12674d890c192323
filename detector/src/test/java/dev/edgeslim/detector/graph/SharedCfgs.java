package dev.edgeslim.detector.graph;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the upstream darknet cfgs in {@code shared/cfg} by walking up from the working directory. */
final class SharedCfgs {
    private SharedCfgs() {
    }

    static Path cfg(String name) {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("cfg").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/cfg/" + name + " not found above " + dir);
    }
}
