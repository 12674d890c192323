package dev.edgeslim.cli;

import dev.edgeslim.detector.data.DarknetDataFile;
import dev.edgeslim.detector.data.DarknetWriter;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.BadInputException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code edgeslim convert-dataset}: writes darknet's format for a VOCdevkit, in place, as darknet's
 * {@code voc_label.py} does: label files in {@code labels/} beside each {@code JPEGImages/}, {@code train.txt} and
 * {@code valid.txt} image lists, the names and {@code obj.data} in the devkit folder. Images are not copied. Files that
 * exist already are replaced only with {@code --force}.
 */
public final class ConvertDatasetCommand implements Command {
    @Override
    public String name() {
        return "convert-dataset";
    }

    @Override
    public String summary() {
        return "write darknet's dataset format (labels, lists, obj.data) for a VOCdevkit";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim convert-dataset --data VOCDIR --to darknet [options]")
                .value("data", "DIR", "VOCdevkit root (required)")
                .value("to", "FORMAT", "darknet (required)")
                .value("split", "SPEC", "split for train.txt (default trainval)")
                .value("valid-split", "SPEC", "split for valid.txt (default test; 'none' for no valid list)")
                .value("names", "FILE", "class names, darknet .names (default: the 20 VOC classes)")
                .flag("skip-bad", "skip and count unreadable samples")
                .flag("force", "replace darknet files that exist already");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path data = p.requiredPath("data");
        if (!"darknet".equals(p.required("to"))) {
            throw new UsageException("--to must be darknet, got '" + p.required("to") + "'");
        }
        if (DarknetDataFile.isDataFile(data)) {
            throw new BadInputException(data, "is a file: convert-dataset reads a VOCdevkit folder");
        }
        VocDataset.Options o = VocDataset.Options.defaults().withSkipBad(p.has("skip-bad"));
        if (p.path("names") != null) {
            o = o.withClasses(dev.edgeslim.detector.data.VocClasses.load(p.path("names")));
        }
        VocDataset train = ClassNames.open(data, p.string("split", "trainval"), o);
        String validSplit = p.string("valid-split", "test");
        VocDataset valid = validSplit.equals("none") ? null : ClassNames.open(data, validSplit, o);
        DarknetWriter.Written w = DarknetWriter.write(data, train, valid, p.has("force"));
        err.println("data: " + train.summary());
        out.printf("wrote %d label files (%d boxes) and %s%n", w.labelFiles(), w.objects(), w.dataFile());
        return OK;
    }
}
