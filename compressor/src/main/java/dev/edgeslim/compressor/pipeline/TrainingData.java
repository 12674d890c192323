package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.detector.data.Datasets;
import dev.edgeslim.detector.data.VocClasses;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The two splits a training stage reads from a VOCdevkit or a darknet {@code .data} file, checked against the
 * model's classes.
 *
 * @param eval null for the evaluation split {@code none}
 */
public record TrainingData(VocDataset train, VocDataset eval) {

    /**
     * Opens the splits of {@code settings} under {@code data} with the settings' class names (null: those the data
     * declares, else the 20 VOC classes); {@code cfg} names the model in a class mismatch.
     */
    public static TrainingData open(Path data, TrainingSettings settings, NetworkSpec spec, Path cfg) {
        VocClasses classes = settings.classes();
        if (classes == null) {
            classes = Datasets.declaredClasses(data);
        }
        VocDataset.Options options = VocDataset.Options.defaults().withSkipBad(settings.skipBad());
        if (classes != null) {
            options = options.withClasses(classes);
        }
        VocDataset train = openSplit(data, settings.split(), options);
        VocDataset eval = settings.evalSplit().equals("none") ? null
                : openSplit(data, settings.evalSplit(), options);
        if (train.classes().size() != spec.classes()) {
            throw new BadInputException(cfg, "the model has " + spec.classes() + " classes but the dataset has "
                    + train.classes().size());
        }
        return new TrainingData(train, eval);
    }

    /**
     * Opens a split; when its classes are the VOC default (no names given) and an annotation uses another name, the
     * error lists every name the split uses and how to give them.
     */
    private static VocDataset openSplit(Path data, String split, VocDataset.Options options) {
        try {
            return Datasets.open(data, split, options);
        } catch (dev.edgeslim.detector.data.UnknownClassException e) {
            if (!options.classes().equals(VocClasses.VOC)) {
                throw e;
            }
            java.util.SortedSet<String> used = VocDataset.classNamesUsed(data, split);
            throw new BadInputException(data, "the annotations use the class names " + used + ", not the 20 VOC "
                    + "classes: give them with --names FILE (darknet .names: one name a line, in class order)");
        }
    }

    /**
     * Says what the one pass over the data found before any training step: always without {@code quiet}, and with
     * it whenever something was skipped or corrected.
     */
    public void report(PrintStream err, boolean quiet) {
        if (err == null) {
            return;
        }
        for (VocDataset d : eval == null ? List.of(train) : List.of(train, eval)) {
            boolean corrected = !d.badSamples().isEmpty() || d.zeroAreaSkipped() > 0 || d.boxesClipped() > 0
                    || d.sizesCorrected() > 0;
            if (!quiet || corrected) {
                err.println("data: " + d.summary());
            }
        }
    }
}
