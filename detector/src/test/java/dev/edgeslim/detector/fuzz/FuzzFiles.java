package dev.edgeslim.detector.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One scratch folder per test JVM for fuzz targets whose parser reads a file: each input is written to the same
 * name (cheap, and nothing piles up over a million executions); the folder is deleted when the JVM exits.
 */
public final class FuzzFiles {
    private static Path dir;

    private FuzzFiles() {
    }

    /** The JVM's scratch folder. */
    public static synchronized Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("edgeslim-fuzz");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path d = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
        }
        return dir;
    }

    /** Writes {@code bytes} to {@code name} in the scratch folder (replacing it) and returns the path. */
    public static Path write(String name, byte[] bytes) {
        try {
            Path file = dir().resolve(name);
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh empty sub-folder of the scratch folder. */
    public static Path emptyFolder(String name) {
        Path d = dir().resolve(name);
        deleteTree(d);
        try {
            return Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp folder
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
