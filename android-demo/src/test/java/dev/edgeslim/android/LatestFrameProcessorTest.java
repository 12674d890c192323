package dev.edgeslim.android;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A camera faster than the model: frames every 2 ms, a model that takes 25 ms. */
class LatestFrameProcessorTest {

    @Test
    void atMostOneFrameInFlightAndTheNewestIsProcessed() throws Exception {
        ExecutorService model = Executors.newSingleThreadExecutor();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        List<Integer> processed = Collections.synchronizedList(new ArrayList<>());
        List<Integer> dropped = Collections.synchronizedList(new ArrayList<>());
        LatestFrameProcessor<Integer> p = new LatestFrameProcessor<>(model, new LatestFrameProcessor.Handler<>() {
            @Override
            public void process(Integer frame) {
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                processed.add(frame);
                inFlight.decrementAndGet();
            }

            @Override
            public void dropped(Integer frame) {
                dropped.add(frame);
            }
        });
        int frames = 200;
        long start = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            p.submit(i);
            Thread.sleep(2);
        }
        assertTrue(p.awaitIdle(10_000));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        model.shutdown();

        System.out.printf("%d frames: %d processed, %d dropped%n", frames, processed.size(), dropped.size());
        assertEquals(1, maxInFlight.get(), "frames in flight at once");
        assertEquals(frames, processed.size() + dropped.size(), "every frame is either processed or dropped");
        assertEquals(processed.size(), p.processedCount());
        assertEquals(dropped.size(), p.droppedCount());
        assertTrue(processed.size() <= elapsedMillis / 25 + 1, "no more runs than 25 ms runs fit in " + elapsedMillis
                + " ms: " + processed.size());
        assertTrue(dropped.size() > 0, "the model cannot keep up, so frames are dropped");
        assertEquals(frames - 1, (int) processed.get(processed.size() - 1), "the newest frame is processed");
        for (int i = 1; i < processed.size(); i++) {
            assertTrue(processed.get(i) > processed.get(i - 1), "frames are processed in order, never an old one");
        }
        // each processed frame after the first is the newest one that had arrived when the model became free:
        // everything between two processed frames was dropped, nothing waited longer than one model run
        for (int i = 1; i < processed.size(); i++) {
            for (int skipped = processed.get(i - 1) + 1; skipped < processed.get(i); skipped++) {
                assertTrue(dropped.contains(skipped), "frame " + skipped + " neither processed nor dropped");
            }
        }
    }

    /** Deterministic: the model is held on frame 0 while frames 1..9 arrive; then only 9, the newest, runs. */
    @Test
    void framesArrivingWhileTheModelRunsAreDroppedButTheNewest() throws Exception {
        ExecutorService model = Executors.newSingleThreadExecutor();
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<Integer> processed = Collections.synchronizedList(new ArrayList<>());
        List<Integer> dropped = Collections.synchronizedList(new ArrayList<>());
        LatestFrameProcessor<Integer> p = new LatestFrameProcessor<>(model, new LatestFrameProcessor.Handler<>() {
            @Override
            public void process(Integer frame) {
                if (frame == 0) {
                    running.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                processed.add(frame);
            }

            @Override
            public void dropped(Integer frame) {
                dropped.add(frame);
            }
        });
        p.submit(0);
        assertTrue(running.await(5, java.util.concurrent.TimeUnit.SECONDS));
        for (int i = 1; i <= 9; i++) {
            p.submit(i);
        }
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), dropped, "dropped at once, oldest first, nothing queued");
        release.countDown();
        assertTrue(p.awaitIdle(5_000));
        model.shutdown();
        assertEquals(List.of(0, 9), processed);
    }

    @Test
    void afterStopNothingRunsAndEveryFrameIsHandedBack() throws Exception {
        ExecutorService model = Executors.newSingleThreadExecutor();
        List<Integer> processed = Collections.synchronizedList(new ArrayList<>());
        List<Integer> dropped = Collections.synchronizedList(new ArrayList<>());
        LatestFrameProcessor<Integer> p = new LatestFrameProcessor<>(model, new LatestFrameProcessor.Handler<>() {
            @Override
            public void process(Integer frame) {
                processed.add(frame);
            }

            @Override
            public void dropped(Integer frame) {
                dropped.add(frame);
            }
        });
        p.submit(1);
        assertTrue(p.awaitIdle(5_000));
        p.stop();
        p.submit(2);
        p.submit(3);
        assertTrue(p.awaitIdle(5_000));
        model.shutdown();
        assertEquals(List.of(1), processed);
        assertEquals(List.of(2, 3), dropped);
    }
}
