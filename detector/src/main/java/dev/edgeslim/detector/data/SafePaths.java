package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Keeps dataset reading inside the dataset folder. Image ids (from ImageSets lists) and file names (from
 * annotations) are single path components, never "..", absolute paths or anything with a separator; and a file
 * reached through a symlink must really live under the dataset root. A hostile dataset therefore cannot make
 * EdgeSlim read (and, through training, leak) files elsewhere on the machine.
 */
final class SafePaths {
    private SafePaths() {
    }

    /**
     * Returns why {@code name} is not a safe single file-name component, or null if it is. Refused: empty, "." or
     * "..", any '/' or '\\', a NUL or other control character, a drive prefix ("C:").
     */
    static String problemWithName(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'" + name + "' refers to a folder, not a file inside the dataset";
        }
        if (name.startsWith("/") || name.startsWith("\\") || (name.length() > 1 && name.charAt(1) == ':')) {
            return "'" + printable(name) + "' is an absolute path; only plain names inside the dataset are allowed";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                return "'" + printable(name) + "' contains a path separator"
                        + (name.contains("..") ? " and '..' (it would leave the dataset folder)" : "")
                        + "; only plain names inside the dataset are allowed";
            }
            if (c < 0x20 || c == 0x7f) {
                return "'" + printable(name) + "' contains a control character";
            }
        }
        return null;
    }

    /**
     * Checks that {@code file} exists and that its real path (symlinks resolved) lies under {@code realRoot};
     * returns the real path.
     *
     * @param blame the file named in the error (e.g. the annotation that referenced the image)
     */
    static Path requireInside(Path realRoot, Path file, Path blame, String what) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            throw new BadInputException(blame, what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new BadInputException(blame, "cannot resolve " + what + " " + file + ": " + e.getMessage());
        }
        if (!real.startsWith(realRoot)) {
            throw new BadInputException(blame, what + " " + file + " is a link to " + real
                    + ", outside the dataset root " + realRoot + " (refused)");
        }
        if (!Files.isRegularFile(real)) {
            throw new BadInputException(blame, what + " " + file + " is not a regular file");
        }
        return real;
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }
}
