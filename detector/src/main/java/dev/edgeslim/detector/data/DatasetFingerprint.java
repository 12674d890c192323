package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * One SHA-256 for a whole dataset folder: what a trained model records about the data it was trained and
 * measured on, so that a later run can tell whether it still has exactly that data (a generator change, an edited
 * annotation, a missing image all change it).
 *
 * <p>Covers every regular file below the root, in order of its relative path ('/'-separated), as
 * {@code path NUL size NUL sha256(content) LF}; left out are {@link SyntheticVoc#MANIFEST} (it describes the data; it is not part of it) and
 * hidden files (temp files of an interrupted write). File order, time stamps and the thread count that wrote the
 * files do not matter.
 */
public final class DatasetFingerprint {
    private DatasetFingerprint() {
    }

    public static String of(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new BadInputException(root, "dataset folder not found");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals(SyntheticVoc.MANIFEST))
                    .filter(p -> !isHidden(root.relativize(p)))
                    .sorted((a, b) -> relative(root, a).compareTo(relative(root, b)))
                    .toList();
        }
        if (files.isEmpty()) {
            throw new BadInputException(root, "dataset folder has no files");
        }
        MessageDigest whole = sha256();
        MessageDigest file = sha256();
        byte[] buf = new byte[1 << 16];
        for (Path p : files) {
            file.reset();
            long size = 0;
            try (InputStream in = Files.newInputStream(p)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    file.update(buf, 0, n);
                    size += n;
                }
            }
            String line = relative(root, p) + '\0' + size + '\0' + HexFormat.of().formatHex(file.digest()) + '\n';
            whole.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(whole.digest());
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
