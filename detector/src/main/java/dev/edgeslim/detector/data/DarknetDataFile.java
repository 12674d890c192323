package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.SmallTextFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A darknet {@code .data} file ({@code obj.data}): {@code key = value} lines, {@code #} or {@code ;} starting a
 * comment line, as darknet's {@code read_data_cfg} reads them. Used here: {@code classes}, {@code train}, {@code valid}
 * and {@code names}; other keys ({@code backup}, {@code eval}, ...) are darknet's own and passed over.
 *
 * <p>Relative paths: darknet opens them from the folder it runs in, which by its convention is the folder above
 * {@code data/} (the file says {@code train = data/train.txt}). So that the result does not depend on the current
 * folder, a relative path is looked up from the {@code .data} file's folder, then from the folder above it; the
 * first that has it is the dataset's base folder, and every file the dataset names (lists, images, labels, names)
 * must resolve inside it, symlinks included.
 */
public record DarknetDataFile(Path file, Path base, int classes, int classesLine, Path train, Path valid, Path names,
                              int namesLine) {

    /** Whether {@code data} names a darknet .data file rather than a VOCdevkit folder. */
    public static boolean isDataFile(Path data) {
        return Files.isRegularFile(data);
    }

    public static DarknetDataFile read(Path file) {
        String text = SmallTextFile.read(file, DataLimits.MAX_LIST_BYTES, "darknet .data file");
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        int lineNumber = 0;
        for (String raw : text.split("\r?\n", -1)) {
            lineNumber++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException(file, lineNumber, "expected key = value, got '"
                        + SafePaths.printable(line) + "'");
            }
            String key = line.substring(0, eq).strip();
            if (values.put(key, line.substring(eq + 1).strip()) != null) {
                throw new BadInputException(file, lineNumber, "'" + SafePaths.printable(key) + "' given twice");
            }
            lines.put(key, lineNumber);
        }
        for (String key : new String[]{"classes", "train", "names"}) {
            if (!values.containsKey(key) || values.get(key).isEmpty()) {
                throw new BadInputException(file, "missing '" + key + " = ...'");
            }
        }
        int classes;
        try {
            classes = Integer.parseInt(values.get("classes"));
        } catch (NumberFormatException e) {
            classes = -1;
        }
        if (classes < 1) {
            throw new BadInputException(file, lines.get("classes"), "classes = '"
                    + SafePaths.printable(values.get("classes")) + "' is not a positive whole number");
        }
        Path folder = realFolder(file);
        Path base = baseFolder(file, folder, values.get("train"), lines.get("train"));
        Path train = inside(file, lines.get("train"), base, values.get("train"), "train list");
        Path valid = values.containsKey("valid") && !values.get("valid").isEmpty()
                ? inside(file, lines.get("valid"), base, values.get("valid"), "valid list") : null;
        Path names = inside(file, lines.get("names"), base, values.get("names"), "names file");
        return new DarknetDataFile(file, base, classes, lines.get("classes"), train, valid, names, lines.get("names"));
    }

    /** The list of a split: {@code train} / {@code trainval} for train, {@code valid} / {@code val} / {@code test} for valid. */
    public Path list(String split) {
        String s = split == null || split.isBlank() ? "train" : split.strip();
        switch (s) {
            case "train", "trainval":
                return train;
            case "valid", "val", "test":
                if (valid == null) {
                    throw new BadInputException(file, "has no 'valid = ...' list for split '" + s + "'");
                }
                return valid;
            default:
                throw new BadInputException(file, "a darknet dataset has the splits train (train = ...) and valid "
                        + "(valid = ...), not '" + SafePaths.printable(s) + "'");
        }
    }

    /** The class names of {@code names =}, refused when their count is not {@code classes =}. */
    public VocClasses classNames() {
        VocClasses loaded = VocClasses.load(names);
        if (loaded.size() != classes) {
            throw new BadInputException(file, classesLine, "classes = " + classes + " but the names file " + names
                    + " has " + loaded.size() + " names");
        }
        return loaded;
    }

    /** A path the dataset names (from {@code blame} at {@code line}), resolved from the base folder and kept inside it. */
    Path resolve(Path blame, int line, String value, String what) {
        return inside(blame, line, base, value, what);
    }

    private static Path realFolder(Path file) {
        try {
            return file.toAbsolutePath().getParent().toRealPath();
        } catch (IOException e) {
            throw new BadInputException(file, "cannot resolve its folder: " + e.getMessage());
        }
    }

    private static Path baseFolder(Path file, Path folder, String train, int line) {
        Path p = Path.of(train);
        if (p.isAbsolute() || Files.exists(folder.resolve(p)) || folder.getParent() == null) {
            return folder;
        }
        Path parent = folder.getParent();
        return Files.exists(parent.resolve(p)) ? parent : folder;
    }

    private static Path inside(Path blame, int line, Path base, String value, String what) {
        Path resolved;
        try {
            resolved = base.resolve(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new BadInputException(blame, line, what + " '" + SafePaths.printable(value) + "' is not a path");
        }
        Path real;
        try {
            real = resolved.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInputException(blame, line, what + " " + resolved + " does not exist");
        } catch (IOException e) {
            throw new BadInputException(blame, line, "cannot resolve " + what + " " + resolved + ": " + e.getMessage());
        }
        if (!real.startsWith(base)) {
            throw new BadInputException(blame, line, what + " " + value + " resolves to " + real
                    + ", outside the dataset folder " + base + " (refused)");
        }
        if (!Files.isRegularFile(real)) {
            throw new BadInputException(blame, line, what + " " + resolved + " is not a regular file");
        }
        return real;
    }
}
