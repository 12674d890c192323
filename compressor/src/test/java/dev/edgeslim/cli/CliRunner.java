package dev.edgeslim.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs the CLI in-process and captures exit code, stdout and stderr. */
public record CliRunner(int code, String out, String err) {

    public static CliRunner run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = new EdgeSlim().run(List.of(args), o, e);
        }
        return new CliRunner(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The error output is a single line and carries no Java stack trace. The one line a cfg's training-only
     * options produce ("FILE:LINE: warning: ... training-only option(s) ...") is a warning, not part of the error.
     */
    public boolean oneLineError() {
        String trimmed = err.lines().filter(l -> !(l.contains(": warning: ") && l.contains("training-only option")))
                .collect(java.util.stream.Collectors.joining("\n")).strip();
        return !trimmed.isEmpty() && !trimmed.contains("\n") && !trimmed.contains("\tat ")
                && !trimmed.contains("Exception");
    }

}
