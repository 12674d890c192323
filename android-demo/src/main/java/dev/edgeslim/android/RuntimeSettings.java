package dev.edgeslim.android;

/**
 * How the TFLite interpreter runs: the {@link Backend} and the number of CPU threads (1 to {@value #MAX_THREADS};
 * used by the CPU kernels and by whatever part of the model an accelerator does not take). Immutable.
 */
public final class RuntimeSettings {
    public static final int MAX_THREADS = 8;

    private final int threads;
    private final Backend backend;

    public RuntimeSettings(int threads, Backend backend) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be 1.." + MAX_THREADS + ", got " + threads);
        }
        if (backend == null) {
            throw new IllegalArgumentException("no backend");
        }
        this.threads = threads;
        this.backend = backend;
    }

    /** The earlier form of these settings: NNAPI when {@code nnapi}, else XNNPACK or TFLite's own CPU kernels. */
    public RuntimeSettings(int threads, boolean xnnpack, boolean nnapi) {
        this(threads, nnapi ? Backend.NNAPI : xnnpack ? Backend.XNNPACK : Backend.CPU);
    }

    /** XNNPACK on all cores (at most {@value #MAX_THREADS}). */
    public static RuntimeSettings defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new RuntimeSettings(Math.max(1, Math.min(MAX_THREADS, cores)), Backend.XNNPACK);
    }

    public int threads() {
        return threads;
    }

    public Backend backend() {
        return backend;
    }

    public RuntimeSettings withThreads(int n) {
        return new RuntimeSettings(n, backend);
    }

    public RuntimeSettings withBackend(Backend b) {
        return new RuntimeSettings(threads, b);
    }

    /** e.g. "XNNPACK, 4 threads" or "NNAPI, 4 CPU threads". */
    public String describe() {
        String t = threads + " " + (backend == Backend.NNAPI || backend == Backend.GPU ? "CPU " : "") + "thread"
                + (threads == 1 ? "" : "s");
        return backend.label() + ", " + t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuntimeSettings && ((RuntimeSettings) o).threads == threads
                && ((RuntimeSettings) o).backend == backend;
    }

    @Override
    public int hashCode() {
        return 31 * threads + backend.hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}
