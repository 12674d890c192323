package dev.edgeslim.cli;

import dev.edgeslim.detector.data.Datasets;
import dev.edgeslim.detector.data.UnknownClassException;
import dev.edgeslim.detector.data.VocClasses;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.BadInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedSet;

/**
 * Which class names a command uses, said once: {@code --names FILE} if given, else the {@code classes.names} recorded
 * beside the model (a training run, pruned or pinned model folder), else those a darknet {@code .data} file names,
 * else the 20 VOC classes. A names file whose count
 * differs from the model's classes is refused naming both numbers; a dataset whose annotations use other names is
 * refused with the names it uses and the flag that gives them.
 */
final class ClassNames {
    static final String HELP = "class names, darknet .names (default: the model's " + VocClasses.FILE_NAME
            + ", else the 20 VOC classes)";

    private ClassNames() {
    }

    /** Adds the {@code --names} flag. */
    static CliOptions flag(CliOptions o) {
        return o.value("names", "FILE", HELP);
    }

    /**
     * The names given or recorded for a model of {@code modelClasses} classes defined by {@code cfg} (its weights file
     * may be null); null when neither exists.
     */
    static VocClasses givenOrRecorded(CliOptions.Parsed p, Path cfg, Path weights, int modelClasses) {
        Path file = p.path("names");
        if (file == null) {
            file = recorded(cfg, weights);
        }
        if (file == null) {
            return null;
        }
        VocClasses names = VocClasses.load(file);
        if (names.size() != modelClasses) {
            throw new BadInputException(file, names.size() + " class names, but " + cfg + " has " + modelClasses
                    + " classes");
        }
        return names;
    }

    /** The names for a model that reads a dataset: given, recorded, else the 20 VOC classes when the model has 20. */
    static VocClasses forDataset(CliOptions.Parsed p, Path cfg, Path weights, int modelClasses, Path data,
                                 String split) {
        VocClasses names = givenOrRecorded(p, cfg, weights, modelClasses);
        if (names != null) {
            return names;
        }
        VocClasses declared = Datasets.declaredClasses(data);
        if (declared != null) {
            if (declared.size() != modelClasses) {
                throw new BadInputException(data, "its names file has " + declared.size() + " class names, but " + cfg
                        + " has " + modelClasses + " classes");
            }
            return declared;
        }
        if (modelClasses != VocClasses.VOC.size()) {
            SortedSet<String> used = VocDataset.classNamesUsed(data, split);
            throw new BadInputException(cfg, "the model has " + modelClasses + " classes, not the 20 VOC classes, and "
                    + "no class names were given: the annotations use " + used.size() + " " + used
                    + "; give them in the model's class order with --names FILE (one name a line)");
        }
        return VocClasses.VOC;
    }

    /**
     * Opens a split with {@code options}' classes; when they are the VOC default (no names given or recorded) and an
     * annotation uses another name, the error lists every name the split uses and shows {@code --names}.
     */
    static VocDataset open(Path data, String split, VocDataset.Options options) {
        try {
            return Datasets.open(data, split, options);
        } catch (UnknownClassException e) {
            if (!options.classes().equals(VocClasses.VOC)) {
                throw e;
            }
            SortedSet<String> used = VocDataset.classNamesUsed(data, split);
            throw new BadInputException(data, "the annotations use the class names " + used + ", not the 20 VOC "
                    + "classes: give them with --names FILE (darknet .names: one name a line, in class order)");
        }
    }

    /** {@code classes.names} beside the weights, else beside the cfg; null when neither folder has one. */
    static Path recorded(Path cfg, Path weights) {
        for (Path model : new Path[]{weights, cfg}) {
            if (model == null) {
                continue;
            }
            Path folder = model.toAbsolutePath().getParent();
            Path names = folder == null ? null : folder.resolve(VocClasses.FILE_NAME);
            if (names != null && Files.isRegularFile(names)) {
                return names;
            }
        }
        return null;
    }
}
