package dev.edgeslim.detector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The upstream material the tests read, carried by the repository in {@code reference/}: darknet's own cfgs
 * ({@code reference/cfg}) and a darknet-trained model ({@code reference/models}). Tests run with a module folder
 * or the repository root as working directory, so the folder is looked for there and one level up, never further
 * out: a test must not pass because of files that lie beside the checkout.
 */
public final class ReferenceFiles {
    private ReferenceFiles() {
    }

    /** The repository's {@code reference} folder. */
    public static Path root() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path candidate : new Path[] {dir, dir.getParent()}) {
            if (candidate != null && Files.isRegularFile(candidate.resolve("pom.xml"))
                    && Files.isDirectory(candidate.resolve("reference").resolve("cfg"))) {
                return candidate.resolve("reference");
            }
        }
        throw new IllegalStateException("reference/cfg not found in " + dir + " or its parent");
    }

    public static Path cfgDir() {
        return root().resolve("cfg");
    }

    /** One of darknet's upstream cfgs, e.g. {@code yolov4-tiny.cfg}. */
    public static Path cfg(String name) {
        return cfgDir().resolve(name);
    }

    /** Every upstream {@code .cfg}, sorted by name. */
    public static List<Path> allCfgs() {
        try (Stream<Path> s = Files.list(cfgDir())) {
            return s.filter(p -> p.toString().endsWith(".cfg")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder of a reference model, e.g. {@code yolo-fastest-body}. */
    public static Path model(String name) {
        return root().resolve("models").resolve(name);
    }
}
