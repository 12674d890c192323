package dev.edgeslim.detector.io;

import java.nio.file.Path;

/**
 * The project's own "this input is wrong" error: a file a user handed us (cfg, weights, image, XML, ...)
 * cannot be used. The CLI prints {@link #getMessage()} as one line and exits with code 2.
 * The message always names the file, and the line or byte offset where that makes sense. It is always one line of
 * printable text: line breaks inside it become spaces and other control characters are shown as {@code \xNN}, so
 * text quoted from a hostile file can neither break the line nor send escape sequences to the terminal, and it is at
 * most {@value #MAX_LENGTH} characters.
 */
public class BadInputException extends RuntimeException {
    /** Longest message: one that quotes a whole hostile input is cut (the parsers quote short excerpts anyway). */
    static final int MAX_LENGTH = 1000;
    private final String source;

    public BadInputException(String source, String message) {
        super(format(source, -1, message));
        this.source = source;
    }

    public BadInputException(String source, int line, String message) {
        super(format(source, line, message));
        this.source = source;
    }

    public BadInputException(String source, String message, Throwable cause) {
        super(format(source, -1, message), cause);
        this.source = source;
    }

    public BadInputException(Path file, String message) {
        this(String.valueOf(file), message);
    }

    public BadInputException(Path file, int line, String message) {
        this(String.valueOf(file), line, message);
    }

    public BadInputException(Path file, String message, Throwable cause) {
        this(String.valueOf(file), message, cause);
    }

    /** The file (or other named source) the error is about. */
    public String source() {
        return source;
    }

    private static String format(String source, int line, String message) {
        String where = source == null ? "<input>" : source;
        String text = printable(line > 0 ? where + ":" + line + ": " + message : where + ": " + message);
        return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH - 3) + "...";
    }

    /** {@code text} on one line: CR, LF and tab become spaces, other control characters {@code \xNN}. */
    public static String printable(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') {
                b.append(' ');
            } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
