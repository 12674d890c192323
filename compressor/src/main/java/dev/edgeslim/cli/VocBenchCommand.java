package dev.edgeslim.cli;

import dev.edgeslim.compressor.bench.BenchFormat;
import dev.edgeslim.compressor.bench.BenchModel;
import dev.edgeslim.compressor.bench.BenchReport;
import dev.edgeslim.compressor.bench.BenchResult;
import dev.edgeslim.compressor.bench.VocBenchmark;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.pipeline.CompressRunFolder;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.VocClasses;
import dev.edgeslim.detector.io.OutputFolder;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code edgeslim bench --data VOCDIR --model NAME=CFG:WEIGHTS[:FORMATS] ... | --run [NAME=]DIR ... --out DIR}:
 * the PASCAL VOC benchmark table ({@link VocBenchmark}). Every model in every format (tf, tflite-fp32,
 * tflite-fp16, tflite-int8, opencv) gets mAP@0.5 in both VOC conventions and per-class AP (exactly as
 * {@code edgeslim eval} computes them), parameters, BFLOPs at the input size, file size and CPU latency, all in one
 * run; latencies come from one interleaved run, so ratios between rows are same-run ratios. The first model is the
 * baseline. {@code --run DIR} adds a compress run folder's input model and its final compressed model.
 *
 * <p>Writes into {@code --out}: {@code bench.md}, {@code bench.json} (fields documented in
 * docs/benchmarks.md), {@code plots/*.png} and {@code models/} (the exported .tflite files that were measured). A row
 * that cannot be measured (model that does not load, failed export, missing split, ...) carries its error in the
 * table and JSON, the other rows are still measured, and the exit code is then 2.
 */
public final class VocBenchCommand implements Command {
    static final Set<String> OWN = Set.of(BenchReport.MARKDOWN, BenchReport.JSON, BenchReport.PLOTS, "models");
    static final int QUICK_IMAGES = 50;
    static final int QUICK_CALIBRATION_IMAGES = 16;

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "PASCAL VOC benchmark table: mAP, params, BFLOPs, size, latency of models in every format";
    }

    static CliOptions options() {
        return new CliOptions("edgeslim bench --data VOCDIR (--model NAME=CFG:WEIGHTS[:FORMATS] | --run [NAME=]DIR)..."
                + " --out DIR [options]")
                .required("data", "DIR", "VOCdevkit root (VOC2007/, VOC2012/, ...)")
                .value("split", "SPEC", "split to score (default test; val when the devkit has no test split)")
                .value("names", "FILE", "class names, darknet .names (default: the first model's "
                        + VocClasses.FILE_NAME + ", else the 20 VOC classes)")
                .repeatable("model", "NAME=CFG:WEIGHTS[:FORMATS]", "a model (repeat; the first is the baseline);"
                        + " FORMATS: comma-separated formats for this model only")
                .repeatable("run", "[NAME=]DIR", "a compress run folder: its input model (NAME, default baseline)"
                        + " and final model (NAME-compressed, default compressed)")
                .value("formats", "LIST", "formats to run every model in (default all: " + BenchFormat.names() + ")")
                .required("out", "DIR", "output folder: bench.md, bench.json, plots/, models/")
                .value("size", "S", "input width = height for every model (default: each cfg's)")
                .value("threads", "N", "threads for every runtime (default: all cores)")
                .value("warmup", "N", "untimed forward passes per row before timing (default 5; quick 2)")
                .value("runs", "N", "timed forward passes per row (default 20; quick 5)")
                .value("batch", "N", "images per forward pass when scoring (default 8, as edgeslim eval)")
                .value("max-images", "N", "score at most N images of the split, evenly spaced (default all;"
                        + " quick " + QUICK_IMAGES + ")")
                .value("calib", "DIR", "int8: folder of calibration images (default: the training split)")
                .value("calib-split", "SPEC", "int8: dataset split to calibrate on (default train)")
                .value("calib-images", "N", "int8: calibration images (default " + ExportOptions.DEFAULT_CALIBRATION_IMAGES
                        + "; quick " + QUICK_CALIBRATION_IMAGES + ")")
                .value("percentile", "P", "int8: clip ranges at the P-th percentile, 50 < P <= 100 (default 100)")
                .flag("quick", "a first look: fewer images, calibration images and timed runs")
                .flag("force", "replace the benchmark files of a previous run in --out")
                .flag("quiet", "no progress bar")
                .flag("json", "print bench.json instead of the table");
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions.Parsed p = options().parse(args, out);
        if (p == null) {
            return OK;
        }
        Path data = p.requiredPath("data");
        Path outDir = p.requiredPath("out");
        boolean quick = p.has("quick");
        List<BenchFormat> formats = List.of(BenchFormat.values());
        if (p.has("formats")) {
            formats = formatList(p.required("formats"), "--formats");
        }
        int size = p.integer("size", 0, 32, 4096);
        int threads = p.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        int warmup = p.integer("warmup", quick ? 2 : 5, 0, 100_000);
        int runs = p.integer("runs", quick ? 5 : 20, 1, 100_000);
        int batch = p.integer("batch", 8, 1, 256);
        int maxImages = p.integer("max-images", quick ? QUICK_IMAGES : 0, 1, Integer.MAX_VALUE);
        int calibImages = p.integer("calib-images", quick ? QUICK_CALIBRATION_IMAGES
                : ExportOptions.DEFAULT_CALIBRATION_IMAGES, 1, 100_000);
        double percentile = p.number("percentile", 100, 50, 100);
        if (percentile <= 50) {
            throw new UsageException("--percentile must be above 50, got " + percentile);
        }
        if (p.has("calib") && p.has("calib-split")) {
            throw new UsageException("give --calib or --calib-split, not both");
        }
        List<BenchModel> models = models(p, formats);
        VocClasses declared = dev.edgeslim.detector.data.Datasets.declaredClasses(data);
        VocClasses classes = declared != null ? declared : VocClasses.VOC;
        for (BenchModel m : models) { // --names, else the first model that records its names, else VOC
            if (p.has("names") || ClassNames.recorded(m.cfg(), m.weights()) != null) {
                classes = ClassNames.givenOrRecorded(p, m.cfg(), m.weights(), CfgParser.parse(m.cfg()).classes());
                break;
            }
        }

        OutputFolder.prepare(outDir, p.has("force"), false, OWN);
        VocBenchmark.Options options = new VocBenchmark.Options(data, p.string("split", null), size, threads, warmup,
                runs, batch, maxImages, p.path("calib"), p.string("calib-split", "train"), calibImages, percentile,
                outDir.resolve("models"), quick, classes);
        BenchResult result;
        try (BarProgress progress = new BarProgress(p.has("quiet") ? null : err)) {
            result = VocBenchmark.run(models, options, progress);
        }
        BenchReport.Written files = BenchReport.write(outDir, result, args);
        if (p.has("json")) {
            out.print(Files.readString(outDir.resolve(files.json())));
        } else {
            out.print(BenchReport.table(result));
            out.println("report: " + outDir.resolve(files.markdown()) + " (+ " + files.json() + ", "
                    + files.plots().size() + " plots)");
        }
        long failed = result.failedRows();
        if (failed > 0) {
            for (BenchResult.RowResult r : result.rows()) {
                for (BenchResult.RowError e : r.errors()) {
                    err.println("edgeslim bench: " + r.id() + " (" + e.stage() + "): " + e.message());
                }
            }
            err.println("edgeslim bench: " + failed + " of " + result.rows().size() + " rows failed (see "
                    + outDir.resolve(files.markdown()) + ")");
            return BAD_INPUT;
        }
        return OK;
    }

    private static List<BenchFormat> formatList(String text, String where) {
        try {
            return BenchFormat.parseList(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(where + ": " + e.getMessage());
        }
    }

    /** The models of --model and --run, in command-line order. */
    private static List<BenchModel> models(CliOptions.Parsed p, List<BenchFormat> formats) throws IOException {
        List<BenchModel> models = new ArrayList<>();
        for (Map.Entry<String, String> o : p.occurrences("model", "run")) {
            if (o.getKey().equals("model")) {
                models.add(parseModel(o.getValue(), formats));
            } else {
                models.addAll(runModels(o.getValue(), formats));
            }
        }
        if (models.isEmpty()) {
            throw new UsageException("give at least one --model NAME=CFG:WEIGHTS or --run DIR (see --help)");
        }
        Set<String> names = new HashSet<>();
        for (BenchModel m : models) {
            if (!names.add(m.name())) {
                throw new UsageException("model name '" + m.name() + "' is used twice; name each model (NAME=... or"
                        + " --run NAME=DIR)");
            }
        }
        return models;
    }

    /** {@code NAME=CFG:WEIGHTS[:FORMATS]}. */
    static BenchModel parseModel(String text, List<BenchFormat> defaults) {
        int eq = text.indexOf('=');
        String usage = "--model must be NAME=CFG:WEIGHTS[:FORMATS], got '" + text + "'";
        if (eq <= 0) {
            throw new UsageException(usage);
        }
        String name = text.substring(0, eq);
        String[] parts = text.substring(eq + 1).split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new UsageException(usage);
        }
        List<BenchFormat> formats = parts.length == 3 ? formatList(parts[2], "--model " + name) : defaults;
        if (!BenchModel.validName(name)) {
            throw new UsageException("--model name '" + name + "' must be letters, digits or . _ + - (it names files)");
        }
        return new BenchModel(name, Path.of(parts[0]), Path.of(parts[1]), formats, null, "--model");
    }

    /** {@code [NAME=]DIR}: the run's input model and its final model, compared with each other. */
    private static List<BenchModel> runModels(String text, List<BenchFormat> formats) throws IOException {
        int eq = text.indexOf('=');
        String name = eq > 0 ? text.substring(0, eq) : null;
        Path dir = Path.of(eq > 0 ? text.substring(eq + 1) : text);
        if (name != null && !BenchModel.validName(name)) {
            throw new UsageException("--run name '" + name + "' must be letters, digits or . _ + - (it names files)");
        }
        CompressRunFolder run = CompressRunFolder.open(dir);
        String base = name == null ? "baseline" : name;
        String compressed = name == null ? "compressed" : name + "-compressed";
        String origin = "compress run " + dir;
        return List.of(new BenchModel(base, run.inputCfg(), run.inputWeights(), formats, null, origin),
                new BenchModel(compressed, run.finalCfg(), run.finalWeights(), formats, base,
                        run.finished() ? origin : origin + " (not finished)"));
    }

    /** The benchmark's progress as one bar with ETA on stderr (nothing when quiet). */
    static final class BarProgress implements VocBenchmark.Progress, AutoCloseable {
        private final PrintStream err;
        private ProgressBar bar;

        BarProgress(PrintStream err) {
            this.err = err;
        }

        @Override
        public void start(long totalUnits) {
            if (err != null) {
                bar = new ProgressBarBuilder().setTaskName("bench").setInitialMax(totalUnits)
                        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(err)).build();
            }
        }

        @Override
        public void advance(long units) {
            if (bar != null && units > 0) {
                bar.stepBy(units);
            }
        }

        @Override
        public void status(String text) {
            if (bar != null) {
                bar.setExtraMessage(text);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
