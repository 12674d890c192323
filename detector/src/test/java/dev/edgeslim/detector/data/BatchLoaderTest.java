package dev.edgeslim.detector.data;

import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.io.BadInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchLoaderTest {
    private static final int NET = 64;
    private final MemorySource source = new MemorySource()
            .add(120, 80, new int[]{0, 10, 10, 50, 30})
            .add(80, 120, new int[]{1, 5, 60, 40, 50})
            .add(100, 100, new int[]{2, 20, 20, 60, 60}, new int[]{3, 0, 0, 15, 15})
            .add(90, 70, new int[]{4, 30, 20, 40, 40})
            .add(70, 90, new int[]{5, 10, 40, 50, 45});
    private final Augmenter augmenter = new Augmenter(AugmentOptions.defaults(NET, NET), ResizeMode.LETTERBOX);

    @TempDir
    Path tmp;

    @AfterEach
    void close() {
        source.close();
    }

    private static List<Batch> take(BatchLoader loader, int n) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(loader.next());
        }
        return out;
    }

    private static void assertSameBatches(List<Batch> a, List<Batch> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            Batch x = a.get(i);
            Batch y = b.get(i);
            assertEquals(x.epoch(), y.epoch());
            assertEquals(x.index(), y.index());
            assertEquals(x.imageIds(), y.imageIds());
            assertEquals(x.boxes(), y.boxes());
            assertEquals(x.uniqueCount(), y.uniqueCount());
            assertArrayEquals(x.images(), y.images(), "batch " + i);
        }
    }

    @Test
    void sameSeedGivesIdenticalBatchesWhateverThePrefetchAndThreads() {
        List<Batch> a;
        List<Batch> b;
        try (BatchLoader l = new BatchLoader(source, augmenter, new BatchLoader.Options(2, 42, true, 1, 1))) {
            assertEquals(3, l.batchesPerEpoch());
            a = take(l, 7);
        }
        try (BatchLoader l = new BatchLoader(source, augmenter, new BatchLoader.Options(2, 42, true, 3, 2))) {
            b = take(l, 7);
        }
        assertSameBatches(a, b);
        assertEquals(List.of(0, 0, 0, 1, 1, 1, 2), a.stream().map(Batch::epoch).toList());
        assertEquals(List.of(0, 1, 2, 0, 1, 2, 0), a.stream().map(Batch::index).toList());
        Batch first = a.get(0);
        assertEquals(2 * NET * NET * 3, first.images().length);
        for (float v : first.images()) {
            assertTrue(v >= 0 && v <= 1);
        }
        try (BatchLoader l = new BatchLoader(source, augmenter, BatchLoader.Options.defaults(2, 43))) {
            Batch other = l.next();
            assertFalse(Arrays.equals(first.images(), other.images()));
        }
    }

    @Test
    void eachEpochVisitsEveryImageOnceAndWrapsTheLastBatch() {
        try (BatchLoader l = new BatchLoader(source, augmenter, BatchLoader.Options.defaults(2, 7))) {
            List<List<String>> orders = new ArrayList<>();
            for (int epoch = 0; epoch < 3; epoch++) {
                List<String> seen = new ArrayList<>();
                for (int b = 0; b < l.batchesPerEpoch(); b++) {
                    Batch batch = l.next();
                    assertEquals(2, batch.size());
                    assertEquals(b == 2 ? 1 : 2, batch.uniqueCount());
                    seen.addAll(batch.imageIds().subList(0, batch.uniqueCount()));
                    if (b == 2) {
                        // the fill is the first image of the same epoch's order
                        assertEquals(seen.get(0), batch.imageIds().get(1));
                    }
                }
                List<String> sorted = new ArrayList<>(seen);
                sorted.sort(null);
                assertEquals(List.of("img0", "img1", "img2", "img3", "img4"), sorted);
                orders.add(seen);
            }
            assertFalse(orders.get(0).equals(orders.get(1)) && orders.get(1).equals(orders.get(2)),
                    "shuffling changes the order between epochs");
            int[] order = BatchLoader.epochOrder(7, 1, 5, true);
            for (int i = 0; i < 5; i++) {
                assertEquals("img" + order[i], orders.get(1).get(i));
            }
        }
    }

    @Test
    void smallerThanABatchStillGivesFullBatches() {
        try (BatchLoader l = new BatchLoader(source, augmenter, BatchLoader.Options.defaults(8, 1).withShuffle(false))) {
            assertEquals(1, l.batchesPerEpoch());
            Batch b = l.next();
            assertEquals(8, b.size());
            assertEquals(5, b.uniqueCount());
            assertEquals(List.of("img0", "img1", "img2", "img3", "img4", "img0", "img1", "img2"), b.imageIds());
        }
    }

    @Test
    void resumesExactlyAtAGivenEpochAndBatch() {
        List<Batch> full;
        try (BatchLoader l = new BatchLoader(source, augmenter, BatchLoader.Options.defaults(2, 11))) {
            full = take(l, 8);
        }
        try (BatchLoader l = new BatchLoader(source, augmenter, BatchLoader.Options.defaults(2, 11), 1, 2)) {
            assertSameBatches(full.subList(5, 8), take(l, 3));
        }
        // a batch index past the end of an epoch carries into the next epochs
        try (BatchLoader l = new BatchLoader(source, augmenter, BatchLoader.Options.defaults(2, 11), 0, 4)) {
            assertSameBatches(full.subList(4, 6), take(l, 2));
        }
    }

    @Test
    void workerFailureSurfacesInTheConsumerWithItsCause() {
        ImageSource broken = new ImageSource() {
            @Override
            public int size() {
                return source.size();
            }

            @Override
            public LabeledImage load(int index) {
                if (index == 3) {
                    throw new BadInputException(Path.of("JPEGImages/000004.jpg"), "truncated JPEG");
                }
                return source.load(index);
            }
        };
        Augmenter plain = new Augmenter(AugmentOptions.evaluation(NET, NET), ResizeMode.LETTERBOX);
        try (BatchLoader l = new BatchLoader(broken, plain, BatchLoader.Options.defaults(1, 0).withShuffle(false))) {
            take(l, 3);
            BadInputException e = assertThrows(BadInputException.class, l::next);
            assertTrue(e.getMessage().startsWith("JPEGImages/000004.jpg: truncated JPEG (while preparing epoch 0 "
                    + "batch 3)"), e.getMessage());
            assertInstanceOf(BadInputException.class, e.getCause());
            assertThrows(BadInputException.class, l::next); // stays failed
        }
        ImageSource crashing = new ImageSource() {
            @Override
            public int size() {
                return 3;
            }

            @Override
            public LabeledImage load(int index) {
                throw new ArithmeticException("boom");
            }
        };
        try (BatchLoader l = new BatchLoader(crashing, plain, BatchLoader.Options.defaults(2, 0).withThreads(2))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, l::next);
            assertInstanceOf(ArithmeticException.class, e.getCause());
        }
    }

    @Test
    void closeStopsTheThreads() throws InterruptedException {
        // other tests in this JVM may still be winding down their loaders: follow this loader's own threads
        java.util.Set<Thread> before = loaderThreads();
        BatchLoader l = new BatchLoader(source, augmenter, BatchLoader.Options.defaults(2, 3).withThreads(2));
        l.next();
        Thread.sleep(50); // let the producer fill its queue and block
        java.util.Set<Thread> mine = loaderThreads();
        mine.removeAll(before);
        assertFalse(mine.isEmpty());
        l.close();
        assertTrue(mine.stream().noneMatch(Thread::isAlive), "this loader's threads are gone");
        assertThrows(IllegalStateException.class, l::next);
        l.close(); // idempotent
    }

    private static java.util.Set<Thread> loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("batch-loader") && t.isAlive())
                .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
    }


    @Test
    void loadsTheSyntheticVocEndToEnd() throws IOException {
        SyntheticVoc.generate(tmp, new SyntheticVoc.Options(6, 0, 96, 5, 2), false, null);
        VocDataset ds = VocDataset.open(tmp, "trainval");
        try (BatchLoader l = new BatchLoader(ds, augmenter, BatchLoader.Options.defaults(4, 1))) {
            Batch b = l.next();
            assertEquals(4, b.size());
            assertTrue(b.imageIds().get(0).startsWith("VOC2007/"));
            assertTrue(b.totalBoxes() > 0);
            for (List<TargetBox> boxes : b.boxes()) {
                for (TargetBox t : boxes) {
                    assertTrue(t.classId() >= 0 && t.classId() < 20);
                    assertTrue(t.cx() >= 0 && t.cx() <= 1 && t.w() > 0 && t.w() <= 1);
                }
            }
        }
        assertSame(ds.options().classes(), VocClasses.VOC);
    }
}
