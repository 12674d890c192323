package dev.edgeslim.detector;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the reference material in {@code ../shared} beside the checkout, from any module or worktree. */
public final class SharedFiles {
    private SharedFiles() {
    }

    public static Path cfgDir() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("cfg");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find shared/cfg above " + dir);
    }

    public static Path cfg(String name) {
        return cfgDir().resolve(name);
    }

    public static List<Path> allCfgs() {
        try (Stream<Path> s = Files.list(cfgDir())) {
            return s.filter(p -> p.toString().endsWith(".cfg")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
