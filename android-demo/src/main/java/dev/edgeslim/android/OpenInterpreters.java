package dev.edgeslim.android;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many TFLite interpreters the process holds open right now. An interpreter owns native memory (the model's
 * tensors, delegate buffers) that the garbage collector never sees, so switching model, backend or threads must
 * close the previous one; this count lets the tests prove it and the screen show it.
 */
public final class OpenInterpreters {
    private static final AtomicInteger OPEN = new AtomicInteger();

    private OpenInterpreters() {
    }

    public static int count() {
        return OPEN.get();
    }

    static void opened() {
        OPEN.incrementAndGet();
    }

    static void closed() {
        OPEN.decrementAndGet();
    }
}
