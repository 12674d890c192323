package dev.edgeslim.detector.cfg;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where the warnings of cfgs parsed without an explicit sink go ({@link CfgParser#parse(java.nio.file.Path)}, and so
 * every model loaded through {@code DarknetModel.load}). Nowhere by default; a program that wants them (the CLI)
 * opens a {@link Scope}, inside which each distinct warning is passed on once, however often one command
 * re-reads the same cfg; the cfgs a command writes and reads again (a pruned model keeps the options of its input)
 * repeat a warning already given for another file, so a warning is told apart by what it says, not by its file.
 */
public final class CfgWarnings {
    private static volatile Scope current;

    private CfgWarnings() {
    }

    /** Sends warnings to {@code sink} until the returned scope is closed (which restores the previous one). */
    public static Scope reportTo(Consumer<String> sink) {
        Scope scope = new Scope(sink, current);
        current = scope;
        return scope;
    }

    static void report(String warning) {
        Scope scope = current;
        if (scope != null) {
            scope.accept(warning);
        }
    }

    /** One reporting period; closing it restores the sink that was in place before. */
    public static final class Scope implements AutoCloseable {
        private final Consumer<String> sink;
        private final Scope previous;
        private final Set<String> seen = new HashSet<>();

        private Scope(Consumer<String> sink, Scope previous) {
            this.sink = sink;
            this.previous = previous;
        }

        private synchronized void accept(String warning) {
            int at = warning.indexOf(": warning: ");
            if (seen.add(at < 0 ? warning : warning.substring(at))) {
                sink.accept(warning);
            }
        }

        @Override
        public void close() {
            if (current == this) {
                current = previous;
            }
        }
    }
}
