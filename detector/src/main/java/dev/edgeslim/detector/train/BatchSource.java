package dev.edgeslim.detector.train;

import dev.edgeslim.detector.data.BatchLoader;

/**
 * Where training batches come from: a {@link BatchLoader} positioned at any (epoch, batch), so a resumed run
 * sees exactly the batches an uninterrupted one would have.
 */
public interface BatchSource {
    int batchesPerEpoch();

    /** A loader whose first {@code next()} is batch {@code batchIndex} of {@code epoch}. */
    BatchLoader open(int epoch, int batchIndex);
}
