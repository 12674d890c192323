package dev.edgeslim.detector.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a small hand-written text file (group definitions, layer lists): refused before reading when larger than
 * its limit, so a wrong path to a video or a device cannot fill the heap; every failure is a one-line
 * {@link BadInputException} naming the file.
 */
public final class SmallTextFile {
    private SmallTextFile() {
    }

    /** The UTF-8 text of {@code file}; {@code what} names the expected content in the size error. */
    public static String read(Path file, long maxBytes, String what) {
        try {
            if (Files.size(file) > maxBytes) {
                throw new BadInputException(file, "larger than " + (maxBytes >= 1 << 20 ? (maxBytes >> 20) + " MB"
                        : maxBytes + " bytes") + "; not " + what);
            }
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file, "no such file");
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read: " + e.getMessage());
        }
    }
}
