package dev.edgeslim.detector.weights;

/**
 * The header of a darknet .weights file: version and the number of images the model was trained on.
 * {@code seen} is stored as uint64 when major*10+minor >= 2, else as uint32.
 */
public record DarknetHeader(int major, int minor, int revision, long seen) {
    /** The version darknet writes today. */
    public static final DarknetHeader CURRENT = new DarknetHeader(0, 2, 5, 0);

    public boolean seenIs64Bit() {
        return major * 10 + minor >= 2;
    }

    public int byteSize() {
        return 12 + (seenIs64Bit() ? 8 : 4);
    }

    public DarknetHeader withSeen(long newSeen) {
        return new DarknetHeader(major, minor, revision, newSeen);
    }
}
