package dev.edgeslim.detector.train;

import dev.edgeslim.detector.darknet.DarknetModel;

import java.nio.file.Path;
import java.util.Set;

/**
 * The layout of a training run's folder ({@code train}, {@code sparse-train}, {@code distill} and the training
 * stages of {@code compress}): the file names are spelled here, once.
 */
public record RunFolder(Path dir) {
    public static final String CFG = "model.cfg";
    public static final String WEIGHTS = "final.weights";
    public static final String METRICS = "metrics.jsonl";
    public static final String CURVES = "curves.png";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String EVAL = "eval";
    /** The class names the model was trained with, so later commands need not be told them again. */
    public static final String NAMES = dev.edgeslim.detector.data.VocClasses.FILE_NAME;
    /** Everything a run writes into its folder. */
    public static final Set<String> OWN = Set.of(CFG, WEIGHTS, METRICS, CURVES, CHECKPOINTS, EVAL, NAMES);

    /** The trained network, at the size it was trained. */
    public Path cfg() {
        return dir.resolve(CFG);
    }

    /** The weights after the last epoch. */
    public Path weights() {
        return dir.resolve(WEIGHTS);
    }

    /** The class names the run trained with. */
    public Path names() {
        return dir.resolve(NAMES);
    }

    public Path checkpoints() {
        return dir.resolve(CHECKPOINTS);
    }

    /** The trained model (a {@link dev.edgeslim.detector.io.BadInputException} when it is not there yet). */
    public DarknetModel model() {
        return DarknetModel.load(cfg(), weights());
    }
}
