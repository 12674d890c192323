package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.data.DarknetWriter;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.data.VocDataset;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code edgeslim synth-voc --out DIR}: writes the synthetic PASCAL VOC dataset (EdgeSlim's embedded default
 * dataset, see {@link SyntheticVoc}) as a VOCdevkit under DIR ({@code DIR/VOC2007/...}), deterministic for a seed.
 * Refuses a non-empty DIR unless {@code --force}, which deletes only files a previous synth-voc run wrote.
 * A progress bar goes to stderr (off with {@code --quiet}).
 * JSON fields: {@code out, yearFolder, seed, size, trainImages, testImages, images, objects, difficult, truncated,
 * seconds, imagesPerSecond}.
 */
public final class SynthVocCommand implements Command {
    @Override
    public String name() {
        return "synth-voc";
    }

    @Override
    public String summary() {
        return "write the synthetic VOC dataset (embedded default dataset) as a VOCdevkit";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        SyntheticVoc.Options defaults = SyntheticVoc.Options.defaults();
        CliOptions options = new CliOptions("edgeslim synth-voc --out DIR [--train N] [--test N] [--size S] "
                + "[--seed N] [--threads N] [--force] [--quiet] [--json]")
                .required("out", "DIR", "output folder; VOC2007/ is written inside it")
                .value("train", "N", "trainval images (every 5th is val), default " + defaults.trainImages())
                .value("test", "N", "test images, default " + defaults.testImages())
                .value("size", "S", "nominal image side in pixels (each image is 0.75-1.25x in width and height), "
                        + "default " + defaults.size())
                .value("seed", "N", "random seed (same seed, same bytes), default " + defaults.seed())
                .value("threads", "N", "rendering threads (output does not depend on it), default "
                        + defaults.threads())
                .value("format", "F", "voc (default: a VOCdevkit) or darknet (the VOCdevkit plus darknet's layout: "
                        + "VOC2007/labels/*.txt, train.txt (trainval), valid.txt (test), obj.names, obj.data)")
                .flag("force", "replace a previous synth-voc output in DIR (deletes only files synth-voc writes)")
                .flag("quiet", "no progress bar")
                .flag("json", "print the summary as JSON");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path dir = p.requiredPath("out");
        String format = p.string("format", "voc");
        if (!format.equals("voc") && !format.equals("darknet")) {
            throw new UsageException("--format must be voc or darknet, got '" + format + "'");
        }
        int train = p.integer("train", defaults.trainImages(), 0, 9_999_999);
        int test = p.integer("test", defaults.testImages(), 0, 9_999_999);
        if (train + test < 1 || train + test > 9_999_999) {
            throw new UsageException("--train plus --test must be within 1..9999999");
        }
        long seed;
        String seedText = p.string("seed", String.valueOf(defaults.seed()));
        try {
            seed = Long.parseLong(seedText.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--seed must be an integer, got '" + seedText + "'");
        }
        SyntheticVoc.Options o = new SyntheticVoc.Options(train, test, p.integer("size", defaults.size(), 32, 4096),
                seed, p.integer("threads", defaults.threads(), 1, 256));

        SyntheticVoc.Result r;
        if (p.has("quiet")) {
            r = SyntheticVoc.generate(dir, o, p.has("force"), null);
        } else {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("synth-voc")
                    .setInitialMax(o.totalImages())
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" img", 1)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(err, 100))
                    .build()) {
                r = SyntheticVoc.generate(dir, o, p.has("force"), bar::step);
            }
        }
        Path dataFile = null;
        if (format.equals("darknet")) {
            VocDataset trainval = o.trainImages() > 0 ? VocDataset.open(dir, "trainval") : null;
            VocDataset testSplit = o.testImages() > 0 ? VocDataset.open(dir, "test") : null;
            dataFile = DarknetWriter.write(dir, trainval != null ? trainval : testSplit,
                    trainval != null ? testSplit : null, true).dataFile();
        }
        if (p.has("json")) {
            ObjectNode n = Json.object();
            n.put("out", dir.toString());
            if (dataFile != null) {
                n.put("dataFile", dataFile.toString());
            }
            n.put("yearFolder", r.yearFolder().toString());
            n.put("seed", o.seed());
            n.put("size", o.size());
            n.put("trainImages", o.trainImages());
            n.put("testImages", o.testImages());
            n.put("images", r.images());
            n.put("objects", r.objects());
            n.put("difficult", r.difficult());
            n.put("truncated", r.truncated());
            n.put("seconds", r.seconds());
            n.put("imagesPerSecond", r.imagesPerSecond());
            out.println(Json.write(n));
        } else {
            out.printf("wrote %d images (%d trainval, %d test) with %d objects (%d difficult, %d truncated) to %s "
                            + "in %.1f s (%.0f images/s)%n", r.images(), o.trainImages(), o.testImages(), r.objects(),
                    r.difficult(), r.truncated(), r.yearFolder(), r.seconds(), r.imagesPerSecond());
            if (dataFile != null) {
                out.println("darknet format: " + dataFile);
            }
        }
        return OK;
    }
}
