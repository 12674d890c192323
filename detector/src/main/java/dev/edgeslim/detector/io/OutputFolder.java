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
 * left alone. {@code --resume} continues in the same folder. Both clear the temp files a killed run left of
 * EdgeSlim's own files ({@link AtomicFiles}).
 */
public final class OutputFolder {
    private OutputFolder() {
    }

    /**
     * Makes {@code dir} ready for a new run. {@code ownNames} are the top-level files and folders this command
     * writes.
     */
    public static void prepare(Path dir, boolean force, boolean resume, Set<String> ownNames) throws IOException {
        check(dir, force, resume, true);
        if (!Files.isDirectory(dir) || resume || isEmpty(dir)) {
            Files.createDirectories(dir);
            removeStaleTemps(dir, ownNames);
            return;
        }
        for (String name : ownNames) {
            deleteTree(dir.resolve(name));
        }
        removeStaleTemps(dir, ownNames);
    }

    /**
     * Deletes what killed writes left of EdgeSlim's own entries ({@code ownNames}) in {@code dir}: the temp file
     * beside each ({@code .NAME.tmp}) and every temp file inside the own folders. The user's files, and temp-looking
     * files that are not ours, stay.
     */
    public static void removeStaleTemps(Path dir, Set<String> ownNames) throws IOException {
        for (String name : ownNames) {
            Path own = dir.resolve(name);
            Path temp = AtomicFiles.tempFor(own);
            if (Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(temp);
            }
            if (Files.isDirectory(own, LinkOption.NOFOLLOW_LINKS)) {
                AtomicFiles.removeStaleTemps(own);
            }
        }
    }

    /**
     * The refusals of {@link #prepare} without touching anything: for commands that check every argument before
     * they compute or write. {@code resumable}: whether the command has {@code --resume} (named in the message).
     */
    public static void check(Path dir, boolean force, boolean resume, boolean resumable) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException(dir, "output path exists and is not a folder");
        }
        if (Files.isDirectory(dir) && !resume && !force && !isEmpty(dir)) {
            throw new BadInputException(dir, "output folder is not empty (use " + (resumable
                    ? "--resume to continue a run, or --force" : "--force") + " to replace EdgeSlim's files in it)");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** Deletes {@code p} and everything below it; a link is removed, never followed; nothing there is fine. */
    public static void deleteTree(Path p) throws IOException {
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
