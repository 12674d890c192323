package dev.edgeslim.detector.data;

/**
 * Indexed labelled images, the input of {@link Augmenter} and {@link BatchLoader}. {@link VocDataset} is the real
 * one; tests use in-memory ones. Implementations must be safe to call from several threads and deterministic:
 * {@code load(i)} returns the same pixels and boxes every time.
 */
public interface ImageSource {
    int size();

    /** Loads image {@code index}; the caller closes the result. */
    LabeledImage load(int index);
}
