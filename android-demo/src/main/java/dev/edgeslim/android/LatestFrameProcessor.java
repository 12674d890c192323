package dev.edgeslim.android;

import java.util.concurrent.Executor;

/**
 * Runs a slow consumer (the model) on a stream of camera frames without ever falling behind: at most one frame is
 * in flight; a frame that arrives meanwhile waits in a single slot, and a newer one replaces it (the older one is
 * dropped and handed back, e.g. to the camera as a free buffer). When the model finishes it takes the slot's
 * frame, the newest, so what is shown is never older than one model run plus one frame. Nothing queues up.
 *
 * <p>{@link #submit} may be called from any thread (the camera's callback thread); frames run on the executor
 * given, one at a time.
 *
 * @param <T> a frame
 */
public final class LatestFrameProcessor<T> {
    /** What to do with frames. */
    public interface Handler<T> {
        /** Runs on the executor, for one frame at a time. */
        void process(T frame);

        /** A frame that will never be processed (a newer one replaced it, or the processor was stopped). */
        void dropped(T frame);
    }

    private final Executor executor;
    private final Handler<T> handler;
    private final Object lock = new Object();
    // guarded by lock
    private boolean inFlight;
    private T waiting;
    private boolean stopped;
    private long processed;
    private long dropped;

    private final Runnable drain = new Runnable() {
        @Override
        public void run() {
            runOnce();
        }
    };

    public LatestFrameProcessor(Executor executor, Handler<T> handler) {
        this.executor = executor;
        this.handler = handler;
    }

    /** Hands a new frame over; returns at once. */
    public void submit(T frame) {
        T replaced = null;
        boolean start = false;
        synchronized (lock) {
            if (stopped) {
                replaced = frame;
            } else if (inFlight) {
                replaced = waiting;
                waiting = frame;
            } else {
                inFlight = true;
                waiting = frame;
                start = true;
            }
            if (replaced != null) {
                dropped++;
            }
        }
        if (replaced != null) {
            handler.dropped(replaced);
        }
        if (start) {
            executor.execute(drain);
        }
    }

    /**
     * Processes the waiting frame, then hands the executor back: when another frame is waiting by then, this
     * runs again as a new task, so other work on the same executor (loading a model) is never starved by a camera
     * that always has a new frame.
     */
    private void runOnce() {
        T next;
        boolean discard;
        synchronized (lock) {
            next = waiting;
            waiting = null;
            discard = stopped;
            if (next == null || discard) {
                inFlight = false;
                if (next != null) {
                    dropped++;
                }
                lock.notifyAll();
            }
        }
        if (next == null) {
            return;
        }
        if (discard) {
            handler.dropped(next);
            return;
        }
        boolean ok = false;
        try {
            handler.process(next);
            ok = true;
        } finally {
            T left = null;
            boolean again = false;
            synchronized (lock) {
                processed++;
                if (ok && waiting != null && !stopped) {
                    again = true;
                } else {
                    // idle; a frame still waiting here means stopped, or the handler threw: it is dropped
                    inFlight = false;
                    left = waiting;
                    waiting = null;
                    if (left != null) {
                        dropped++;
                    }
                    lock.notifyAll();
                }
            }
            if (left != null) {
                handler.dropped(left);
            }
            if (again) {
                executor.execute(drain);
            }
        }
    }

    /**
     * No more frames are processed: the waiting one (if any) is dropped; a frame already in flight finishes.
     * Later submits are dropped at once.
     */
    public void stop() {
        T left;
        synchronized (lock) {
            stopped = true;
            left = inFlight ? null : waiting;
            if (left != null) {
                waiting = null;
                dropped++;
            }
        }
        if (left != null) {
            handler.dropped(left);
        }
    }

    /** Waits until no frame is in flight (tests, shutdown); false on timeout. */
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (lock) {
            while (inFlight) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                lock.wait(left);
            }
            return true;
        }
    }

    public long processedCount() {
        synchronized (lock) {
            return processed;
        }
    }

    public long droppedCount() {
        synchronized (lock) {
            return dropped;
        }
    }
}
