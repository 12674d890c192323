package dev.edgeslim.detector.data;

/** A sample that was skipped ({@link VocDataset.Options#skipBad()}): the file at fault and what is wrong. */
public record BadSample(String file, String reason) {
    @Override
    public String toString() {
        return file + ": " + reason;
    }
}
