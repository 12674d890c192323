package dev.edgeslim.cli;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;

import java.io.PrintStream;
import java.nio.file.Path;

/** What every training command reads before it trains: the model at the requested size and the two splits. */
final class TrainingInputs {
    private TrainingInputs() {
    }

    /** The training and evaluation splits (eval null for {@code --eval-split none}). */
    record Datasets(VocDataset train, VocDataset eval) {
    }

    /** The model at {@code size} (0: the cfg's); the cfg's training-only options are listed once on {@code err}. */
    static NetworkSpec spec(Path cfg, int size, PrintStream err) {
        NetworkSpec spec = CfgParser.parse(cfg, err::println);
        return size > 0 ? spec.withInputSize(size, size) : spec;
    }

    /** Opens {@code --split} and {@code --eval-split} of {@code data} and checks their classes against the model. */
    static Datasets datasets(CliOptions.Parsed p, Path data, NetworkSpec spec, Path cfg) {
        VocDataset.Options options = VocDataset.Options.defaults().withSkipBad(p.has("skip-bad"));
        VocDataset train = VocDataset.open(data, p.string("split", "trainval"), options);
        String evalSplit = p.string("eval-split", "test");
        VocDataset eval = evalSplit.equals("none") ? null : VocDataset.open(data, evalSplit, options);
        if (train.classes().size() != spec.classes()) {
            throw new BadInputException(cfg, "the model has " + spec.classes() + " classes but the dataset has "
                    + train.classes().size());
        }
        return new Datasets(train, eval);
    }
}
