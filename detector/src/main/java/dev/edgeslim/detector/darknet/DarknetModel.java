package dev.edgeslim.detector.darknet;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.data.NamesFile;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.ShapeException;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A darknet model as it is kept on disk: the network ({@code .cfg}), its weights ({@code .weights}) and, when known,
 * its class names. {@link #load} reads and cross-checks the files; {@link #write} is the one way a model is written.
 *
 * @param names class names, one per class, or empty when not known
 */
public record DarknetModel(NetworkSpec spec, WeightStore weights, List<String> names) {
    public DarknetModel {
        names = List.copyOf(names);
        if (!names.isEmpty() && names.size() != spec.classes()) {
            throw new IllegalArgumentException(names.size() + " class names for a model of " + spec.classes()
                    + " classes");
        }
    }

    public DarknetModel(NetworkSpec spec, WeightStore weights) {
        this(spec, weights, List.of());
    }

    /** Reads {@code cfg} and {@code weights}; a missing, malformed or mismatched file is a {@link BadInputException}. */
    public static DarknetModel load(Path cfg, Path weights) {
        NetworkSpec spec = CfgParser.parse(cfg);
        return new DarknetModel(spec, DarknetWeights.read(weights, spec));
    }

    /** As {@link #load(Path, Path)}, with class names from {@code names} (one per line), checked against the cfg. */
    public static DarknetModel load(Path cfg, Path weights, Path names) {
        DarknetModel model = load(cfg, weights);
        List<String> read = NamesFile.read(names);
        if (read.size() != model.spec.classes()) {
            throw new BadInputException(names, read.size() + " class names, but " + cfg + " has "
                    + model.spec.classes() + " classes");
        }
        return model.withNames(read);
    }

    /**
     * The same model at a square input size (a darknet model's weights do not depend on it, so only the spec changes),
     * for a model read from {@code cfg}: a size the network cannot run at is a {@link BadInputException} naming the
     * file.
     */
    public DarknetModel atInputSize(int size, Path cfg) {
        return new DarknetModel(atInputSize(spec, size, cfg), weights, names);
    }

    /**
     * {@code spec} (read from {@code cfg}) at a square input size; a size it cannot run at is a
     * {@link BadInputException} naming the file.
     */
    public static NetworkSpec atInputSize(NetworkSpec spec, int size, Path cfg) {
        try {
            return spec.withInputSize(size, size);
        } catch (ShapeException e) {
            throw new BadInputException(cfg, "does not work at input size " + size + ": " + e.getMessage());
        }
    }

    public DarknetModel withNames(List<String> classNames) {
        return new DarknetModel(spec, weights, classNames);
    }

    /**
     * Writes the cfg and the weights, each through a temp file renamed into place. Old weights at {@code weightsFile}
     * go first, so a process killed in between never leaves the new cfg beside weights of another model; if the
     * weights cannot be written the new cfg is removed again.
     */
    public void write(Path cfgFile, Path weightsFile) throws IOException {
        Files.deleteIfExists(weightsFile);
        AtomicFiles.writeString(cfgFile, CfgWriter.toText(spec));
        try {
            DarknetWeights.write(weights, spec, weightsFile);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(cfgFile);
            throw e;
        }
    }
}
