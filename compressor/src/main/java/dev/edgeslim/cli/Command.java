package dev.edgeslim.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One CLI command as a function: parse {@code args}, do the work, print to {@code out}/{@code err}, return an
 * exit code. No command calls System.exit, so tests call {@link #run} directly.
 */
public interface Command {
    int OK = 0;
    int USAGE = 1;
    int BAD_INPUT = 2;
    int RUNTIME_FAILURE = 3;

    /** The word after {@code edgeslim}, e.g. "info". */
    String name();

    /** One line for the command list. */
    String summary();

    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
