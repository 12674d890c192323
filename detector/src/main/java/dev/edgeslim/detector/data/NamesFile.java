package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.SpecLimits;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A darknet .names file: one class name per line (LF or CRLF), in class order; surrounding spaces and blank lines after
 * the last name ignored (a blank line before it is refused: darknet counts it as a class); a name is at most
 * {@value #MAX_NAME_LENGTH} characters and has no control characters. The one reader of such files.
 */
public final class NamesFile {
    public static final long MAX_BYTES = 8L << 20;
    public static final int MAX_NAME_LENGTH = 256;

    /** A class name and the 1-based line it stands on. */
    public record Entry(String name, int line) {
    }

    private NamesFile() {
    }

    public static List<String> read(Path file) {
        List<String> names = new ArrayList<>();
        for (Entry e : entries(file, MAX_BYTES)) {
            names.add(e.name());
        }
        return List.copyOf(names);
    }

    /** The names with their line numbers, refusing files over {@code maxBytes}. */
    public static List<Entry> entries(Path file, long maxBytes) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new BadInputException(file, "names file is " + size + " bytes, more than the limit " + maxBytes);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file, "no such file");
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read: " + e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(file, "not UTF-8 text");
        }
        List<Entry> names = new ArrayList<>();
        int lineNumber = 0;
        int blankLine = 0;
        for (String line : text.split("\r?\n", -1)) {
            lineNumber++;
            String name = line.strip();
            if (name.isEmpty()) {
                blankLine = blankLine == 0 ? lineNumber : blankLine;
                continue;
            }
            if (blankLine > 0) {
                // darknet reads every line as a class, so a blank one between names shifts every later class id
                throw new BadInputException(file, blankLine, "blank class name (every line before the last name "
                        + "is a class)");
            }
            blankLine = 0;
            if (name.length() > MAX_NAME_LENGTH) {
                throw new BadInputException(file, lineNumber, "class name longer than " + MAX_NAME_LENGTH + " characters");
            }
            if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                // a name ends up in metadata, reports and on screen: no line breaks or escape sequences in it
                throw new BadInputException(file, lineNumber, "class name contains a control character");
            }
            if (names.size() >= SpecLimits.MAX_CLASSES) {
                throw new BadInputException(file, lineNumber, "more than " + SpecLimits.MAX_CLASSES + " class names");
            }
            names.add(new Entry(name, lineNumber));
        }
        if (names.isEmpty()) {
            throw new BadInputException(file, "no class names");
        }
        return List.copyOf(names);
    }
}
