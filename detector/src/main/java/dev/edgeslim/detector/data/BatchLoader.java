package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Endless stream of training batches over an {@link ImageSource}, epoch after epoch, prepared on a background
 * thread so decoding and augmentation overlap training.
 *
 * <p>Order and randomness: epoch {@code e} visits the images in a permutation derived from (seed, e) (or in index
 * order without shuffling); the sample at position {@code p} of the epoch is augmented with a SplittableRandom
 * derived from (seed, e, p). So every batch is a pure function of (seed, epoch, batch index): two loaders with the
 * same seed produce identical batches whatever the thread timing, and a loader started at (epoch, batch) produces
 * exactly what an uninterrupted run would have from there on (exact resume from a checkpoint).
 *
 * <p>Batch size is fixed. The last batch of an epoch is <em>wrapped</em>: filled up with the first images of the
 * same epoch's order (with fresh augmentation) rather than dropped, so every image is seen at least once per epoch
 * and a dataset smaller than one batch still works; {@link Batch#uniqueCount()} tells which entries are fill.
 * Batches per epoch = ceil(size / batchSize).
 *
 * <p>Difficult objects are trained on as normal boxes, as darknet does (its VOC label script keeps them); they
 * stay marked in {@link TargetBox#difficult()} and in the dataset, where evaluation ignores them.
 *
 * <p>Threads: one producer thread keeps up to {@code prefetch} finished batches in a bounded queue; with
 * {@code threads > 1} the images of a batch are prepared in parallel. An exception while preparing a batch is
 * rethrown by {@link #next()} (a {@link BadInputException} stays one, with the original as cause; anything else
 * becomes an IllegalStateException with it as cause). {@link #close()} stops and joins the threads.
 */
public final class BatchLoader implements AutoCloseable {
    /**
     * @param batchSize images per batch
     * @param seed      run seed
     * @param shuffle   shuffle each epoch (false: index order, e.g. for evaluation)
     * @param prefetch  finished batches kept ready (queue bound), at least 1
     * @param threads   threads preparing the images of one batch, at least 1
     */
    public record Options(int batchSize, long seed, boolean shuffle, int prefetch, int threads) {
        public Options {
            if (batchSize < 1 || prefetch < 1 || threads < 1) {
                throw new IllegalArgumentException("batchSize, prefetch and threads must be >= 1");
            }
        }

        public static Options defaults(int batchSize, long seed) {
            return new Options(batchSize, seed, true, 2, 1);
        }

        public Options withShuffle(boolean s) {
            return new Options(batchSize, seed, s, prefetch, threads);
        }

        public Options withPrefetch(int p) {
            return new Options(batchSize, seed, shuffle, p, threads);
        }

        public Options withThreads(int t) {
            return new Options(batchSize, seed, shuffle, prefetch, t);
        }
    }

    private record Failure(int epoch, int batch, Throwable error) {
    }

    private static final long ORDER_KEY = 0x4f52444552L; // "ORDER"
    private static final long SAMPLE_KEY = 0x53414d504cL; // "SAMPL"

    private final ImageSource source;
    private final Augmenter augmenter;
    private final Options options;
    private final int batchesPerEpoch;
    private final BlockingQueue<Object> queue;
    private final Thread producer;
    /** Worker threads the pool created, joined on close (pool termination precedes the threads' exit). */
    private final java.util.List<Thread> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ExecutorService pool;
    private volatile boolean closed;
    private Failure failure;

    /** Starts at epoch 0, batch 0. */
    public BatchLoader(ImageSource source, Augmenter augmenter, Options options) {
        this(source, augmenter, options, 0, 0);
    }

    /**
     * Starts at ({@code startEpoch}, {@code startBatch}); a batch index of {@link #batchesPerEpoch()} or more
     * carries over into later epochs.
     */
    public BatchLoader(ImageSource source, Augmenter augmenter, Options options, int startEpoch, int startBatch) {
        if (source.size() < 1) {
            throw new IllegalArgumentException("no images to load");
        }
        if (startEpoch < 0 || startBatch < 0) {
            throw new IllegalArgumentException("start epoch and batch must be >= 0");
        }
        this.source = source;
        this.augmenter = augmenter;
        this.options = options;
        this.batchesPerEpoch = (source.size() + options.batchSize() - 1) / options.batchSize();
        this.queue = new ArrayBlockingQueue<>(options.prefetch());
        this.pool = options.threads() > 1 ? Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "batch-loader-worker");
            t.setDaemon(true);
            workers.add(t);
            return t;
        }) : null;
        int epoch = startEpoch + startBatch / batchesPerEpoch;
        int batch = startBatch % batchesPerEpoch;
        this.producer = new Thread(() -> produce(epoch, batch), "batch-loader");
        producer.setDaemon(true);
        producer.start();
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    public Options options() {
        return options;
    }

    /** The order in which epoch {@code epoch} visits the {@code n} images. */
    public static int[] epochOrder(long seed, int epoch, int n, boolean shuffle) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, ORDER_KEY, epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** The next batch, waiting for it if needed. */
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("batch loader is closed");
        }
        if (failure == null) {
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            }
            if (item instanceof Batch b) {
                return b;
            }
            failure = (Failure) item;
        }
        Throwable e = failure.error;
        String where = "epoch " + failure.epoch + " batch " + failure.batch;
        if (e instanceof BadInputException bad) {
            String prefix = bad.source() + ":";
            String m = bad.getMessage();
            throw new BadInputException(bad.source(), (m.startsWith(prefix) ? m.substring(prefix.length()).strip()
                    : m) + " (while preparing " + where + ")", bad);
        }
        throw new IllegalStateException("preparing " + where + " failed: " + e, e);
    }

    private void produce(int startEpoch, int startBatch) {
        int epoch = startEpoch;
        int batch = startBatch;
        int[] order = epochOrder(options.seed(), epoch, source.size(), options.shuffle());
        try {
            while (!closed) {
                Batch b;
                try {
                    b = build(epoch, batch, order);
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable e) {
                    if (!closed) {
                        queue.put(new Failure(epoch, batch, e));
                    }
                    return;
                }
                queue.put(b);
                if (++batch == batchesPerEpoch) {
                    batch = 0;
                    epoch++;
                    order = epochOrder(options.seed(), epoch, source.size(), options.shuffle());
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private Batch build(int epoch, int batch, int[] order) throws Exception {
        int size = options.batchSize();
        int n = order.length;
        int sampleLength = augmenter.sampleLength();
        float[] images = new float[Math.multiplyExact(size, sampleLength)];
        Augmenter.Output[] outputs = new Augmenter.Output[size];
        List<Future<?>> futures = new ArrayList<>();
        for (int j = 0; j < size; j++) {
            int slot = j;
            int position = batch * size + j;
            int index = order[position % n];
            Runnable task = () -> {
                SplittableRandom rng = new SplittableRandom(Seeds.derive(options.seed(), SAMPLE_KEY, epoch, position));
                outputs[slot] = augmenter.apply(source, index, rng, images, slot * sampleLength);
            };
            if (pool == null) {
                if (closed) {
                    throw new InterruptedException();
                }
                task.run();
            } else {
                futures.add(pool.submit(task));
            }
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                for (Future<?> other : futures) {
                    other.cancel(false);
                }
                throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
            }
        }
        List<List<TargetBox>> boxes = new ArrayList<>(size);
        List<String> ids = new ArrayList<>(size);
        for (Augmenter.Output o : outputs) {
            boxes.add(o.boxes());
            ids.add(o.id());
        }
        int unique = Math.min(size, n - batch * size);
        return new Batch(epoch, batch, augmenter.options().width(), augmenter.options().height(), images, boxes,
                ids, unique);
    }

    /** Stops the producer and worker threads and waits for them (a batch in preparation is abandoned). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        producer.interrupt();
        queue.clear();
        try {
            producer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(30, TimeUnit.SECONDS);
                for (Thread t : workers) {
                    t.join(TimeUnit.SECONDS.toMillis(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        queue.clear();
    }
}
