package dev.edgeslim.compressor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the upstream darknet cfgs in {@code shared/cfg} above the working directory (any worktree). */
public final class TestCfgs {
    private TestCfgs() {
    }

    public static Path dir() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolve("shared").resolve("cfg");
            if (Files.isDirectory(c)) {
                return c;
            }
        }
        throw new IllegalStateException("shared/cfg not found above " + System.getProperty("user.dir"));
    }

    public static Path cfg(String name) {
        return dir().resolve(name);
    }

    public static List<Path> all() {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.toString().endsWith(".cfg")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
