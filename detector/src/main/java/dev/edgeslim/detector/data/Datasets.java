package dev.edgeslim.detector.data;

import java.nio.file.Path;

/**
 * Opens a dataset in either input format: a VOCdevkit folder ({@link VocDataset}) or a darknet {@code .data} file
 * ({@link DarknetDataset}); the result is the same kind of dataset whatever the format.
 */
public final class Datasets {
    private Datasets() {
    }

    public static VocDataset open(Path data, String split, VocDataset.Options options) {
        if (DarknetDataFile.isDataFile(data)) {
            return DarknetDataset.open(DarknetDataFile.read(data), split, options);
        }
        return VocDataset.open(data, split, options);
    }

    /** The class names the dataset itself declares (a darknet .data file's {@code names =}); null for a VOCdevkit. */
    public static VocClasses declaredClasses(Path data) {
        return DarknetDataFile.isDataFile(data) ? DarknetDataFile.read(data).classNames() : null;
    }
}
