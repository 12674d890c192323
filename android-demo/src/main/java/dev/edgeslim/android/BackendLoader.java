package dev.edgeslim.android;

import org.tensorflow.lite.Delegate;
import org.tensorflow.lite.Interpreter;

import java.io.Closeable;
import java.nio.ByteBuffer;

/**
 * Creates a TFLite {@link Interpreter} for one {@link Backend}: interpreter options for CPU, XNNPACK and NNAPI, a
 * GPU delegate for GPU. Every interpreter it returns is counted by {@link OpenInterpreters} until
 * {@link Loaded#close()}.
 */
final class BackendLoader {
    private BackendLoader() {
    }

    /** An interpreter and the delegate it uses (closed after it), if any. */
    static final class Loaded implements Closeable {
        final Interpreter interpreter;
        private final Delegate delegate;
        private boolean closed;

        private Loaded(Interpreter interpreter, Delegate delegate) {
            this.interpreter = interpreter;
            this.delegate = delegate;
            OpenInterpreters.opened();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            interpreter.close();
            closeDelegate(delegate);
            OpenInterpreters.closed();
        }
    }

    /**
     * @throws RuntimeException or LinkageError: the backend cannot load this model here (the caller decides
     *                          whether to fall back)
     */
    static Loaded load(ByteBuffer model, RuntimeSettings settings) {
        Interpreter.Options options = new Interpreter.Options();
        options.setNumThreads(settings.threads());
        // only calls that exist with the same signature in TFLite 2.16.1 (the app) and the desktop 2.6 build the
        // JVM tests use
        options.setUseXNNPACK(settings.backend() == Backend.XNNPACK);
        Delegate delegate = null;
        if (settings.backend() == Backend.NNAPI) {
            options.setUseNNAPI(true);
        } else if (settings.backend() == Backend.GPU) {
            delegate = GpuDelegates.create();
            options.addDelegate(delegate);
        }
        try {
            return new Loaded(new Interpreter(model, options), delegate);
        } catch (RuntimeException | LinkageError e) {
            closeDelegate(delegate);
            throw e;
        }
    }

    private static void closeDelegate(Delegate delegate) {
        if (delegate instanceof Closeable) {
            try {
                ((Closeable) delegate).close();
            } catch (java.io.IOException e) {
                // closing native memory does not fail in practice; nothing more to do
            }
        }
    }
}
