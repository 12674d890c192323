package dev.edgeslim.detector.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every file EdgeSlim writes appears complete or not at all: it is written to a temporary file in the same
 * folder, forced to disk, then atomically renamed over the target. A crash at any point leaves either the old
 * file or the new one, never half of one.
 *
 * <p>The temporary file of {@code NAME} is always {@code .NAME.tmp}: a process killed mid-write (SIGKILL, power loss)
 * leaves at most one such file per target, the next write of the same target replaces it, and
 * {@link #removeStaleTemps} (run by {@code --resume} and {@code --force}) clears the rest. Nothing reads them: every
 * reader opens the target's own name.
 */
public final class AtomicFiles {
    /** Suffix of the temporary files (prefix: a dot and the target's name). */
    public static final String TEMP_SUFFIX = ".tmp";
    /** Two writers of one target in this JVM take turns (striped locks) instead of sharing its temp file. */
    private static final Object[] LOCKS = new Object[64];
    /** Temp files being written right now in this JVM, which {@link #removeStaleTemps} leaves alone. */
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    static {
        for (int i = 0; i < LOCKS.length; i++) {
            LOCKS[i] = new Object();
        }
    }

    private AtomicFiles() {
    }

    /** Writes the bytes produced by {@code body} to {@code target} atomically. */
    public static void write(Path target, IoConsumer<OutputStream> body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path tmp = tempFor(absolute);
        synchronized (LOCKS[Math.floorMod(tmp.hashCode(), LOCKS.length)]) {
            IN_FLIGHT.add(tmp);
            try {
                writeVia(tmp, absolute, dir, body);
            } finally {
                IN_FLIGHT.remove(tmp);
            }
        }
    }

    private static void writeVia(Path tmp, Path absolute, Path dir, IoConsumer<OutputStream> body) throws IOException {
        // A leftover of a killed write is replaced; deleting first (a link is removed, never followed) and then
        // CREATE_NEW means a planted symlink can never redirect the write.
        Files.deleteIfExists(tmp);
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
                 OutputStream out = Channels.newOutputStream(channel)) {
                OutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
                body.accept(buffered);
                buffered.flush();
                channel.force(true);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            syncDirectory(dir);
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** The temporary file a write of {@code target} goes through: {@code .NAME.tmp} beside it. */
    public static Path tempFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + TEMP_SUFFIX);
    }

    /** Whether {@code file} is the temporary file of some atomic write (named {@code .NAME.tmp}). */
    public static boolean isTemp(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        return name.length() > 1 + TEMP_SUFFIX.length() + 1 && name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    /**
     * Deletes the temporary files that killed writes left under {@code dir} (recursively, never following links)
     * and returns how many; other files are untouched. For a folder no other process is writing to.
     */
    public static int removeStaleTemps(Path dir) throws IOException {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int[] removed = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && isTemp(file) && !IN_FLIGHT.contains(file.toAbsolutePath())) {
                    Files.deleteIfExists(file);
                    removed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return removed[0];
    }

    /** Makes the rename itself durable; best effort (not every file system allows opening a directory). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException ignored) {
            // directory fsync is unsupported on some platforms; the data itself is already on disk
        }
    }

    @FunctionalInterface
    public interface IoConsumer<T> {
        void accept(T value) throws IOException;
    }
}
