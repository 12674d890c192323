package dev.edgeslim.cli;

import dev.edgeslim.compressor.bench.MachineInfo;
import dev.edgeslim.compressor.sensitivity.SensitivityAnalysis;
import dev.edgeslim.compressor.sensitivity.SensitivityReport;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.model.NetworkSpec;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code edgeslim sensitivity}: prunes one automatic group at a time at each ratio, and removes one residual block at
 * a time ({@link SensitivityAnalysis}), measuring mAP@0.5 on a subset of a VOC split and TF Java latency; writes
 * {@code sensitivity.json}, {@code sensitivity.md} and {@code sensitivity.png} into {@code --out}. Every flag and
 * input is checked, and existing files that are not earlier outputs of this command refused (unless {@code --force}),
 * before the first model is measured; each file is written through a temp file renamed into place.
 *
 * <p>JSON ({@code --json}, and {@code sensitivity.json}): {@code model, split, images, threads, latencyRuns, command,
 * machine{...}, points[{kind (BASELINE, GROUP, BLOCK), name, ratio (1 for a removed block), params, bflops,
 * map50Voc07, map50Voc12, latencyMs}]}, the unpruned model first.
 */
public final class SensitivityCommand implements Command {
    static final List<String> FILES = List.of("sensitivity.json", "sensitivity.md", "sensitivity.png");

    @Override
    public String name() {
        return "sensitivity";
    }

    @Override
    public String summary() {
        return "mAP and latency with one pruning group (or residual block) pruned at a time: how much can go where";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim sensitivity --cfg C --weights W --data VOCDIR --out DIR [options]")
                .required("cfg", "FILE", "darknet .cfg")
                .required("weights", "FILE", "darknet .weights matching the cfg")
                .required("data", "DIR", "VOCdevkit root (or a darknet .data file)")
                .required("out", "DIR", "folder for sensitivity.json, .md and .png")
                .value("split", "SPEC", "split to measure mAP on (default test)")
                .value("names", "FILE", ClassNames.HELP)
                .value("ratios", "LIST", "fractions of each group's prunable channels to remove, each in [0,1) "
                        + "(default 0.1,0.3,0.5,0.7)")
                .value("images", "N", "evaluate on N images spread over the split (default 100)")
                .value("only", "LIST", "analyse only these groups / blocks (block-<shortcut layer>), comma-separated")
                .value("size", "S", "input size (default: the cfg's)")
                .value("batch", "N", "images per forward pass (default 8)")
                .value("threads", "N", "TF threads (default: all cores)")
                .value("latency-runs", "N", "timed forward passes per variant (default 10)")
                .flag("skip-bad", "skip and count unreadable samples")
                .flag("quiet", "no progress bar")
                .flag("force", "replace files in --out that are not earlier outputs of this command")
                .flag("json", "print sensitivity.json's content instead of the summary");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path weightsFile = p.requiredPath("weights");
        Path data = p.requiredPath("data");
        Path outDir = p.requiredPath("out");
        String split = p.string("split", "test");
        List<Double> ratios = ratios(p.string("ratios", "0.1,0.3,0.5,0.7"));
        int images = p.integer("images", 100, 1, 1_000_000);
        int size = p.integer("size", 0, 32, 4096);
        if (size > 0 && size % 32 != 0) {
            throw new UsageException("--size must be a multiple of 32, got " + size);
        }
        int batch = p.integer("batch", 8, 1, 256);
        int threads = p.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        int runs = p.integer("latency-runs", 10, 1, 100_000);
        Set<String> only = new LinkedHashSet<>();
        for (String s : p.string("only", "").split(",")) {
            if (!s.isBlank()) {
                only.add(s.strip());
            }
        }
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new BadInputException(outDir, "exists and is not a directory");
        }
        boolean force = p.has("force");
        OutputFiles.checkReplaceable(outDir.resolve(FILES.get(0)), OutputFiles.JSON, force);
        OutputFiles.checkReplaceable(outDir.resolve(FILES.get(1)), OutputFiles.MARKDOWN, force);
        OutputFiles.checkReplaceable(outDir.resolve(FILES.get(2)), OutputFiles.PNG, force);

        DarknetModel darknet = DarknetModel.load(cfg, weightsFile);
        NetworkSpec spec = size > 0 ? DarknetModel.atInputSize(darknet.spec(), size, cfg) : darknet.spec();
        VocDataset dataset = ClassNames.open(data, split, VocDataset.Options.defaults().withSkipBad(p.has("skip-bad"))
                .withClasses(ClassNames.forDataset(p, cfg, weightsFile, spec.classes(), data, split)));
        if (dataset.classes().size() != spec.classes()) {
            throw new BadInputException(cfg, "the model has " + spec.classes() + " classes but the dataset has "
                    + dataset.classes().size());
        }
        VocDataset subset = dataset.subset(images);
        SensitivityAnalysis analysis;
        try {
            analysis = new SensitivityAnalysis(spec, darknet.weights(),
                    new SensitivityAnalysis.Settings(ratios, batch, threads, runs, only));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--only: " + e.getMessage());
        }
        List<SensitivityAnalysis.Point> points;
        try (ProgressBar bar = p.has("quiet") ? null : new ProgressBarBuilder().setTaskName("sensitivity")
                .setInitialMax(analysis.variants()).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err)).build()) {
            points = analysis.run(subset, bar == null ? null : (done, total) -> bar.stepTo(done));
        }
        SensitivityReport report = new SensitivityReport(cfg.getFileName().toString(), split, subset.size(), threads,
                runs, "edgeslim sensitivity " + String.join(" ", args), MachineInfo.current(), points);
        String json = report.toJson();
        String md = report.toMarkdown();
        byte[] png = report.png();
        Files.createDirectories(outDir);
        AtomicFiles.writeString(outDir.resolve(FILES.get(0)), json);
        AtomicFiles.writeString(outDir.resolve(FILES.get(1)), md);
        AtomicFiles.writeBytes(outDir.resolve(FILES.get(2)), png);
        if (p.has("json")) {
            out.println(json);
            return OK;
        }
        SensitivityAnalysis.Point base = report.baseline();
        out.printf(Locale.ROOT, "unpruned: mAP@0.5 VOC07 %.4f, %.2f ms; %d variants on %d images%n", base.map50Voc07(),
                base.latencyMs(), points.size() - 1, subset.size());
        out.println("wrote " + String.join(", ", FILES) + " to " + outDir);
        return OK;
    }

    /** A comma-separated list of ratios, each in [0,1). */
    static List<Double> ratios(String text) {
        List<Double> out = new ArrayList<>();
        for (String s : text.split(",")) {
            if (s.isBlank()) {
                continue;
            }
            double r;
            try {
                r = Double.parseDouble(s.strip());
            } catch (NumberFormatException e) {
                throw new UsageException("--ratios: '" + s.strip() + "' is not a number");
            }
            if (!(r >= 0 && r < 1)) {
                throw new UsageException("--ratios: each ratio must be within [0,1), got " + s.strip());
            }
            out.add(r);
        }
        if (out.isEmpty()) {
            throw new UsageException("--ratios: no ratio given");
        }
        return out;
    }
}
