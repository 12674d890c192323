package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;

import java.nio.file.Path;

/**
 * The two splits a training stage reads from a VOCdevkit, checked against the model's classes.
 *
 * @param eval null for the evaluation split {@code none}
 */
public record TrainingData(VocDataset train, VocDataset eval) {

    /** Opens the splits of {@code settings} under {@code data}; {@code cfg} names the model in a class mismatch. */
    public static TrainingData open(Path data, TrainingSettings settings, NetworkSpec spec, Path cfg) {
        VocDataset.Options options = VocDataset.Options.defaults().withSkipBad(settings.skipBad());
        VocDataset train = VocDataset.open(data, settings.split(), options);
        VocDataset eval = settings.evalSplit().equals("none") ? null
                : VocDataset.open(data, settings.evalSplit(), options);
        if (train.classes().size() != spec.classes()) {
            throw new BadInputException(cfg, "the model has " + spec.classes() + " classes but the dataset has "
                    + train.classes().size());
        }
        return new TrainingData(train, eval);
    }
}
