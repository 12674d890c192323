package dev.edgeslim.detector.fuzz;

import dev.edgeslim.detector.io.BadInputException;

import java.util.concurrent.Callable;

/**
 * The contract every parser keeps under fuzzing: for any input it either returns a value or throws the project's own
 * input exception ({@link BadInputException}, or a parser's documented specific type) whose message is one
 * non-blank line naming the source. Anything else — another exception type, an {@link Error} such as
 * OutOfMemoryError or StackOverflowError, a multi-line or anonymous message — escapes to the fuzzer as a finding.
 */
public final class InputContract {
    /** Longest acceptable error message: a message quoting a whole hostile input is no longer "one clear line". */
    static final int MAX_MESSAGE_LENGTH = 2000;
    /**
     * Slowest acceptable handling of one input. Generous (a 2-core machine shared with training runs), yet a
     * quadratic blow-up or a "decompression bomb" on a fuzz-sized input shows up as a finding.
     */
    static final long MAX_NANOS = 5_000_000_000L;

    private InputContract() {
    }

    /**
     * Runs {@code parse} and returns its value, or null when it refused the input properly.
     *
     * @param source the name the message must start with (the file or pseudo-file handed to the parser)
     */
    @SafeVarargs
    public static <T> T valueOrRefusal(String source, Callable<T> parse,
                                       Class<? extends RuntimeException>... alsoAllowed) throws Exception {
        long start = System.nanoTime();
        T value = checked(source, parse, alsoAllowed);
        if (System.nanoTime() - start > MAX_NANOS) {
            // The first input of a JVM also pays for class loading, native libraries and JIT: only an input that is
            // slow a second time is slow.
            long again = System.nanoTime();
            checked(source, parse, alsoAllowed);
            long nanos = System.nanoTime() - again;
            if (nanos > MAX_NANOS) {
                throw new AssertionError("handling one input took " + nanos / 1_000_000 + " ms");
            }
        }
        return value;
    }

    @SafeVarargs
    private static <T> T checked(String source, Callable<T> parse, Class<? extends RuntimeException>... alsoAllowed)
            throws Exception {
        try {
            return parse.call();
        } catch (BadInputException e) {
            checkMessage(e, source);
            return null;
        } catch (RuntimeException e) {
            for (Class<? extends RuntimeException> allowed : alsoAllowed) {
                if (allowed.isInstance(e)) {
                    checkMessage(e, null);
                    return null;
                }
            }
            throw e;
        }
    }

    /** Checks that a refusal reads as one clear line naming {@code source} (when given). */
    public static void checkMessage(RuntimeException e, String source) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            throw new AssertionError("refusal without a message", e);
        }
        if (m.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new AssertionError("refusal message is not one line of printable text: " + m, e);
        }
        if (m.length() > MAX_MESSAGE_LENGTH) {
            throw new AssertionError("refusal message is " + m.length() + " characters long", e);
        }
        if (source != null && !m.startsWith(source + ":")) {
            throw new AssertionError("refusal message does not name " + source + ": " + m, e);
        }
    }
}
