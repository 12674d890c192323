package dev.edgeslim.detector.cfg;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where the warnings of cfgs parsed without an explicit sink go ({@link CfgParser#parse(java.nio.file.Path)}, and so
 * every model loaded through {@code DarknetModel.load}). Nowhere by default; a program that wants them (the CLI)
 * opens a {@link Scope}, inside which each set of kept options is reported once, however often one command
 * re-reads the same cfg: a cfg a command writes and reads again (a pruned model keeps the options of its input,
 * at other line numbers) would only repeat what was said of its input.
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

    /** {@code warning} describes the training-only {@code options} of one cfg. */
    static void report(Collection<String> options, String warning) {
        Scope scope = current;
        if (scope != null) {
            scope.accept(Set.copyOf(options), warning);
        }
    }

    /** One reporting period; closing it restores the sink that was in place before. */
    public static final class Scope implements AutoCloseable {
        private final Consumer<String> sink;
        private final Scope previous;
        private final Set<Set<String>> reported = new HashSet<>();

        private Scope(Consumer<String> sink, Scope previous) {
            this.sink = sink;
            this.previous = previous;
        }

        private synchronized void accept(Set<String> options, String warning) {
            if (reported.add(options)) {
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
