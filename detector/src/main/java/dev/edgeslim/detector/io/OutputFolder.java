package dev.edgeslim.detector.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Guards an output folder: a folder that already has files is never overwritten unless the user asks
 * ({@code --force}), and then only the entries EdgeSlim itself writes there are removed; anything else in it is
 * left alone. {@code --resume} continues in the same folder.
 */
public final class OutputFolder {
    private OutputFolder() {
    }

    /**
     * Makes {@code dir} ready for a new run. {@code ownNames} are the top-level files and folders this command
     * writes.
     */
    public static void prepare(Path dir, boolean force, boolean resume, Set<String> ownNames) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException(dir, "output path exists and is not a folder");
        }
        if (!Files.isDirectory(dir) || resume || isEmpty(dir)) {
            Files.createDirectories(dir);
            return;
        }
        if (!force) {
            throw new BadInputException(dir, "output folder is not empty (use --resume to continue a run, or --force "
                    + "to replace EdgeSlim's files in it)");
        }
        for (String name : ownNames) {
            deleteTree(dir.resolve(name));
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isSymbolicLink(p) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(p); // a link is removed, never followed
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }
}
