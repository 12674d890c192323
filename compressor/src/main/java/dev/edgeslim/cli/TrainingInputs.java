package dev.edgeslim.cli;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;

import java.nio.file.Path;

/** What every training command reads before it trains: the model at the requested size and the two splits. */
final class TrainingInputs {
    private TrainingInputs() {
    }

    /** The training and evaluation splits (eval null for {@code --eval-split none}). */
    record Datasets(VocDataset train, VocDataset eval) {
        /**
         * Says what the one pass over the data found before any training step: always without {@code quiet}, and
         * with it whenever something was skipped or corrected.
         */
        void report(java.io.PrintStream err, boolean quiet) {
            for (VocDataset d : eval == null ? java.util.List.of(train) : java.util.List.of(train, eval)) {
                boolean corrected = !d.badSamples().isEmpty() || d.zeroAreaSkipped() > 0 || d.boxesClipped() > 0
                        || d.sizesCorrected() > 0;
                if (!quiet || corrected) {
                    err.println("data: " + d.summary());
                }
            }
        }
    }

    static NetworkSpec spec(Path cfg, int size) {
        NetworkSpec spec = CfgParser.parse(cfg);
        return size > 0 ? spec.withInputSize(size, size) : spec;
    }

    /**
     * Opens {@code --split} and {@code --eval-split} of {@code data} with the model's class names (see
     * {@link ClassNames}; {@code weights} may be null) and checks their count against the model.
     */
    static Datasets datasets(CliOptions.Parsed p, Path data, NetworkSpec spec, Path cfg, Path weights) {
        String trainSplit = p.string("split", "trainval");
        VocDataset.Options options = VocDataset.Options.defaults().withSkipBad(p.has("skip-bad"))
                .withClasses(ClassNames.forDataset(p, cfg, weights, spec.classes(), data, trainSplit));
        VocDataset train = ClassNames.open(data, trainSplit, options);
        String evalSplit = p.string("eval-split", "test");
        VocDataset eval = evalSplit.equals("none") ? null : ClassNames.open(data, evalSplit, options);
        if (train.classes().size() != spec.classes()) {
            throw new BadInputException(cfg, "the model has " + spec.classes() + " classes but the dataset has "
                    + train.classes().size());
        }
        return new Datasets(train, eval);
    }
}
