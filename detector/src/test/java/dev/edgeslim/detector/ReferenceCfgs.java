package dev.edgeslim.detector;

import java.nio.file.Files;
import java.nio.file.Path;

/** The darknet cfgs kept in the repository under {@code reference/cfg}, found from any module's working folder. */
public final class ReferenceCfgs {
    private ReferenceCfgs() {
    }

    public static Path dir() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            Path candidate = p.resolve("reference").resolve("cfg");
            if (Files.isDirectory(candidate) && Files.isRegularFile(candidate.resolve("LICENSE.darknet"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find reference/cfg above " + start);
    }

    public static Path cfg(String name) {
        return dir().resolve(name);
    }
}
