package dev.edgeslim.cli;

import dev.edgeslim.compressor.bench.BenchFormat;
import dev.edgeslim.compressor.bench.BenchModel;
import dev.edgeslim.compressor.bench.BenchReport;
import dev.edgeslim.compressor.bench.BenchResult;
import dev.edgeslim.compressor.bench.VocBenchmark;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.ImageFolderCalibration;
import dev.edgeslim.compressor.export.tflite.TfliteExporter;
import dev.edgeslim.compressor.models.PinnedModel;
import dev.edgeslim.compressor.pipeline.CompressionConfig;
import dev.edgeslim.compressor.pipeline.CompressionPipeline;
import dev.edgeslim.compressor.pipeline.CompressionReport;
import dev.edgeslim.compressor.pipeline.DistillationConfig;
import dev.edgeslim.compressor.pipeline.PipelineManifest;
import dev.edgeslim.compressor.pipeline.PruningConfig;
import dev.edgeslim.compressor.pipeline.SparseTrainingConfig;
import dev.edgeslim.compressor.pipeline.TrainingSettings;
import dev.edgeslim.compressor.pipeline.TrainingStage;
import dev.edgeslim.compressor.sparsity.SparsityWeighting;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.data.VocClasses;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.io.Sha256;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.builtin.BuiltinModels;
import dev.edgeslim.detector.train.RunFolder;
import dev.edgeslim.detector.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code edgeslim demo}: the whole product on a 2-core machine in under 15 minutes. By default it starts from the
 * converged YOLOv4 pinned in {@code benchmarks/models/} (checked against its hashes, and its synthetic PASCAL VOC
 * regenerated and checked against the recorded fingerprint), so that its table shows what compression costs on a
 * trained model; {@code --train-baseline} trains a small baseline from scratch instead. Then it compresses (sparse
 * training → group pruning → attention distillation), exports the result to TFLite (fp32 and int8, the int8 one at
 * {@code OUT/export/model-int8.tflite} where the Android build picks it up) and darknet, and measures input and
 * result in the runtimes a phone runs (TFLite fp32 and int8 with XNNPACK) beside TF Java. Every step writes
 * ordinary files under {@code OUT} (default {@code runs/demo}); running it again reuses what is finished.
 */
public final class DemoCommand implements Command {
    /** The baseline's training options, in the demo folder beside {@code baseline/}. */
    static final String BASELINE_RECORD = "baseline-options.json";
    /** The pinned model the demo starts from, under {@code benchmarks/models/} of the EdgeSlim checkout. */
    static final String DEFAULT_PINNED = "yolov4-w025-160-synthvoc";
    /** Set by the {@code edgeslim} launcher to the checkout it runs from. */
    static final String HOME_PROPERTY = "edgeslim.home";
    // the baseline's training settings that no demo option changes (recorded with the others)
    private static final int BASELINE_BATCH = 8;
    private static final double BASELINE_LR = 0.005;
    private static final int BASELINE_BURN_IN = 100;
    private static final int CALIBRATION_IMAGES = 64;
    private static final List<String> TRAIN_BASELINE_ONLY = List.of("arch", "size", "train-images", "test-images",
            "epochs");

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "the whole pipeline on a converged YOLOv4 and its synthetic VOC: compress, export, measure";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim demo [--out runs/demo] [options]")
                .value("out", "DIR", "output folder (default runs/demo)")
                .value("pinned", "DIR", "pinned model to start from (default benchmarks/models/" + DEFAULT_PINNED
                        + "); its synthetic data is generated and checked")
                .flag("train-baseline", "train a small baseline from scratch instead (--arch, --size, --epochs, "
                        + "--train-images, --test-images)")
                .value("arch", "NAME", "with --train-baseline: built-in model (default yolov4-tiny)")
                .value("size", "S", "with --train-baseline: network input size (default 224)")
                .value("train-images", "N", "with --train-baseline: synthetic training images (default 600)")
                .value("test-images", "N", "with --train-baseline: synthetic test images (default 150)")
                .value("epochs", "N", "with --train-baseline: baseline training epochs (default 13)")
                .value("sparse-epochs", "N", "sparse training epochs (default 3)")
                .value("finetune-epochs", "N", "distillation epochs (default 16; 5 with --train-baseline)")
                .value("sparse-lr", "RATE", "sparse training's learning rate (default 0.002)")
                .value("sparsity-weighting", "W", "uniform, flops or params (default params): scale each layer's "
                        + "L1 strength by what one of its channels costs")
                .value("finetune-lr", "RATE", "distillation's learning rate (default 0.005)")
                .value("target-params", "F", "remove this fraction of parameters (default 0.6; 0.7 with "
                        + "--train-baseline), shared among the groups by one |gamma| threshold")
                .value("ratio", "R", "instead of --target-params: prune this fraction of every group")
                .value("reach", "R", "sparse training's automatic strength reach (default 0.5; 1.0 with "
                        + "--train-baseline)")
                .value("seed", "N", "seed (default 1)")
                .value("threads", "N", "threads (default: all cores)")
                .flag("quiet", "no progress bars");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        boolean trainBaseline = p.has("train-baseline");
        if (trainBaseline && p.has("pinned")) {
            throw new UsageException("--pinned and --train-baseline cannot be combined");
        }
        if (!trainBaseline) {
            for (String o : TRAIN_BASELINE_ONLY) {
                if (p.has(o)) {
                    throw new UsageException("--" + o + " sets the baseline trained by --train-baseline; the pinned "
                            + "model has its own");
                }
            }
        }
        Path outDir = p.path("out") == null ? Path.of("runs", "demo") : p.path("out");
        int sparseEpochs = p.integer("sparse-epochs", 3, 1, 10_000);
        // from the pinned converged model the distillation length sets the result: at -60% params 5 epochs ended
        // 7.3 pt below the input, 12 epochs 3.5 pt, 16 epochs without mosaic (below) 0.03 pt above it, in 801 s
        // on a fresh clone, build included (docs/measurements.md)
        int finetuneEpochs = p.integer("finetune-epochs", trainBaseline ? 5 : 16, 1, 10_000);
        if (p.has("ratio") && p.has("target-params")) {
            throw new UsageException("--ratio and --target-params cannot be combined");
        }
        // a target shared by one |γ| threshold prunes what sparse training made sparse, so a gentler sparse
        // training (reach 1.0, not 1.5) suffices; measured on the from-scratch demo: 0.491 mAP after distillation
        // at -70% params, against 0.345 at -72% with ratio 0.5 per group and reach 1.5
        // from the pinned converged model, a gentler start measured better at -60%: reach 0.5 gave 0.5933 mAP after
        // distillation against 0.5816 at reach 1.0 (3 + 5 epochs, params weighting, input 0.6833)
        PruningConfig pruning = p.has("ratio") ? PruningConfig.ratio(p.number("ratio", 0.5, 0, 0.95))
                : PruningConfig.targetParams(p.number("target-params", trainBaseline ? 0.7 : 0.6, 0.01, 0.95));
        double reach = p.number("reach", trainBaseline ? 1.0 : 0.5, 0.01, 100);
        SparsityWeighting weighting = SparsityWeighting.parse(p.string("sparsity-weighting", "params")
                .toLowerCase(Locale.ROOT));
        if (weighting == null) {
            throw new UsageException("unknown --sparsity-weighting '" + p.string("sparsity-weighting", "")
                    + "' (uniform, flops, params)");
        }
        double sparseLr = p.number("sparse-lr", 0.002, 1e-6, 1);
        // fine-tuning a freshly pruned model for a few epochs recovers more at the baseline's learning rate than at
        // compress's default 0.002 (measured on the from-scratch demo: 0.521 against 0.491 mAP at 16/4/6 epochs;
        // 0.008 gave no more than 0.005)
        double finetuneLr = p.number("finetune-lr", 0.005, 1e-6, 1);
        int seed = p.integer("seed", 1, 0, Integer.MAX_VALUE);
        int threads = p.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        PrintStream progress = p.has("quiet") ? null : err;
        long started = System.nanoTime();

        Baseline baseline = trainBaseline ? trainedBaseline(p, outDir, seed, threads, progress, out, err)
                : pinnedBaseline(p.path("pinned") == null ? defaultPinned() : p.path("pinned"), outDir, threads, out,
                err);

        step(err, 3, "compress: sparse training, group pruning, attention distillation");
        Path compress = outDir.resolve("compress");
        TrainingSettings common = SparseTrainingConfig.defaults().training().withSeed(seed).withThreads(threads)
                .withLr(sparseLr);
        TrainingSettings distillationTraining = DistillationConfig.defaults().training().withSeed(seed)
                .withThreads(threads).withEpochs(finetuneEpochs).withLr(finetuneLr);
        if (!trainBaseline) {
            // the pinned model's distillation sees whole images, as the test split does ("closing" mosaic, as
            // short fine-tunes of YOLO models do): 0.6568 against 0.6514 mAP after 12 epochs from the same pruned
            // model (one thread each, side by side)
            distillationTraining = distillationTraining.withAugmentation(true, 0);
        }
        CompressionConfig config = CompressionConfig.defaults()
                .withSparse(SparseTrainingConfig.defaults().withTraining(common.withEpochs(sparseEpochs))
                        .withReach(reach).withWeighting(weighting))
                .withPruning(pruning)
                .withDistillation(DistillationConfig.defaults().withTraining(distillationTraining));
        // the folder is the demo's own: a demo run again with other options redoes only what they change, and a
        // run that compressed another baseline (or was written by another version) is replaced
        CompressionPipeline.Existing existing = ownsNoCurrentRun(compress, baseline.weights())
                ? CompressionPipeline.Existing.REPLACE : CompressionPipeline.Existing.RERUN_CHANGED;
        CompressionPipeline.Result result = new CompressionPipeline(new CompressionPipeline.Inputs(baseline.cfg(),
                baseline.weights(), baseline.voc()), config).run(compress, existing, err, progress);

        step(err, 4, "export to TensorFlow Lite (fp32 and int8) and darknet");
        Path export = outDir.resolve("export");
        Files.createDirectories(export);
        DarknetModel compressed = result.model().withNames(baseline.names().names());
        AtomicFiles.writeString(export.resolve("voc.names"), String.join("\n", compressed.names()) + "\n");
        Path finalWeights = result.folder().finalWeights();
        ExportOptions fp32 = ExportOptions.fp32();
        ImageFolderCalibration calibration = new ImageFolderCalibration(baseline.voc().resolve("VOC2007/JPEGImages"),
                CALIBRATION_IMAGES, compressed.spec().net().resizeMode());
        ExportOptions int8 = ExportOptions.int8(calibration, calibration.size(), 100);
        for (var e : List.of(Map.entry("model-fp32.tflite", fp32), Map.entry("model-int8.tflite", int8))) {
            TfliteExporter.export(compressed.spec(), compressed.weights(), e.getValue()
                    .withClassNames(compressed.names()).withSource(finalWeights.toString()).withThreads(threads))
                    .write(export.resolve(e.getKey()));
        }
        compressed.write(export.resolve("model.cfg"), export.resolve("model.weights"));

        step(err, 5, "measure input and result in TF Java and in TFLite fp32 / int8 (XNNPACK), " + threads
                + " threads");
        Path benchDir = outDir.resolve("bench");
        List<BenchFormat> formats = List.of(BenchFormat.TF, BenchFormat.TFLITE_FP32, BenchFormat.TFLITE_INT8);
        List<BenchModel> models = List.of(
                new BenchModel("input", baseline.cfg(), baseline.weights(), formats, null, baseline.origin()),
                new BenchModel("compressed", result.folder().finalCfg(), finalWeights, formats, "input",
                        compress.toString()));
        // the bench folder is the demo's own, measured again on every run
        OutputFolder.prepare(benchDir, true, false, VocBenchCommand.OWN);
        VocBenchmark.Options benchOptions = new VocBenchmark.Options(baseline.voc(), null, 0, threads, 5, 20, 8, 0,
                null, "train", CALIBRATION_IMAGES, 100, benchDir.resolve("models"), false, baseline.names());
        BenchResult bench;
        try (VocBenchCommand.BarProgress bar = new VocBenchCommand.BarProgress(progress)) {
            bench = VocBenchmark.run(models, benchOptions, bar);
        }
        BenchReport.Written benchFiles = BenchReport.write(benchDir, bench, args);

        out.println();
        out.println("EdgeSlim demo: " + baseline.description());
        out.print(CompressionReport.table(result.report()));
        out.println();
        out.println("Deployment runtimes (batch 1, " + threads + " threads, median latency, input and compressed "
                + "interleaved in one run; int8 calibrated on " + CALIBRATION_IMAGES + " training images):");
        out.print(BenchReport.table(bench));
        out.printf("TFLite: fp32 %.2f MB, int8 %.2f MB (%s); benchmark: %s%n",
                Files.size(export.resolve("model-fp32.tflite")) / 1e6,
                Files.size(export.resolve("model-int8.tflite")) / 1e6, export, benchDir.resolve(benchFiles.markdown()));
        out.printf("done in %.1f min; everything is under %s%n", (System.nanoTime() - started) / 6e10, outDir);
        for (BenchResult.RowResult r : bench.rows()) {
            for (BenchResult.RowError e : r.errors()) {
                err.println("edgeslim demo: bench " + r.id() + " (" + e.stage() + "): " + e.message());
            }
        }
        return bench.failedRows() > 0 ? BAD_INPUT : OK;
    }

    /** The model the demo compresses: its files, the data it was trained on, and how to describe it. */
    private record Baseline(Path cfg, Path weights, Path voc, VocClasses names, String description, String origin) {
    }

    /**
     * {@code benchmarks/models/DEFAULT_PINNED} of the checkout the launcher runs from (or of the working directory
     * when EdgeSlim runs without the launcher).
     */
    static Path defaultPinned() {
        String home = System.getProperty(HOME_PROPERTY);
        Path root = home == null || home.isBlank() ? Path.of("") : Path.of(home);
        return root.resolve("benchmarks").resolve("models").resolve(DEFAULT_PINNED);
    }

    /** Steps 1–2 from a pinned model: its files checked, its synthetic data generated and checked. */
    private static Baseline pinnedBaseline(Path folder, Path outDir, int threads, PrintStream out, PrintStream err)
            throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new BadInputException(folder, "no pinned model here (run the demo from an EdgeSlim checkout, "
                    + "give --pinned DIR, or --train-baseline)");
        }
        PinnedModel pinned = PinnedModel.read(folder);
        pinned.checkFiles();
        SyntheticVoc.Options synth = pinned.dataset().synthetic();
        if (synth == null) {
            throw new BadInputException(pinned.recordPath(), "was not trained on a synthetic dataset EdgeSlim can "
                    + "generate; compress it with `edgeslim compress` on its own data");
        }
        step(err, 1, "synthetic PASCAL VOC of " + pinned.name() + " (" + synth.trainImages() + " train / "
                + synth.testImages() + " test images at " + synth.size() + " px, seed " + synth.seed() + ")");
        // named after the model: a folder of another demo's data is never mistaken for this one's
        Path voc = outDir.resolve("voc-" + pinned.name());
        SyntheticVoc.ensure(voc, new SyntheticVoc.Options(synth.trainImages(), synth.testImages(), synth.size(),
                synth.seed(), threads));
        pinned.checkDataset(voc);

        step(err, 2, "baseline: " + pinned.name() + " (pinned, files and data checked)");
        VocClasses names = VocClasses.load(pinned.namesPath());
        NetworkSpec spec = DarknetModel.load(pinned.cfgPath(), pinned.weightsPath()).spec();
        out.printf(Locale.ROOT, "baseline: %s, trained %d epochs, recorded mAP@0.5 %.4f (VOC07) / %.4f (VOC12)%n",
                folder, pinned.training().epochs(), pinned.evaluation().map50Voc07(), pinned.evaluation().map50Voc12());
        String description = pinned.name() + " (" + spec.net().width() + "x" + spec.net().height() + ", converged, pinned) on "
                + "synthetic PASCAL VOC";
        return new Baseline(pinned.cfgPath(), pinned.weightsPath(), voc, names, description, folder.toString());
    }

    /** Steps 1–2 with {@code --train-baseline}: generate a synthetic VOC and train a baseline on it. */
    private static Baseline trainedBaseline(CliOptions.Parsed p, Path outDir, int seed, int threads,
                                            PrintStream progress, PrintStream out, PrintStream err) throws IOException {
        String arch = p.string("arch", "yolov4-tiny");
        int size = p.integer("size", 224, 64, 1024);
        if (size % 32 != 0) {
            throw new UsageException("--size must be a multiple of 32");
        }
        int trainImages = p.integer("train-images", 600, 8, 100_000);
        int testImages = p.integer("test-images", 150, 4, 100_000);
        // sized for <= 15 min on a 2-core machine with margin (16/4/6 epochs took 14.9 min, 13/3/5 take 11.5)
        int epochs = p.integer("epochs", 13, 1, 10_000);

        step(err, 1, "synthetic PASCAL VOC (" + trainImages + " train / " + testImages + " test images)");
        Path voc = outDir.resolve("voc");
        SyntheticVoc.ensure(voc, new SyntheticVoc.Options(trainImages, testImages, size + size / 4, seed, threads));

        step(err, 2, "baseline " + arch + " at " + size + "x" + size);
        RunFolder baseline = new RunFolder(outDir.resolve("baseline"));
        Path cfg = outDir.resolve(arch + ".cfg");
        // what the baseline is trained with, recorded beside it: a demo run again with another arch, size, epoch
        // count or seed trains it again instead of silently reusing a baseline those options did not make
        String baselineOptions = Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode().put("arch", arch)
                .put("size", size).put("epochs", epochs).put("seed", (long) seed)
                .put("batch", BASELINE_BATCH).put("lr", BASELINE_LR).put("burnIn", BASELINE_BURN_IN)) + "\n";
        Path record = outDir.resolve(BASELINE_RECORD);
        boolean recorded = Files.exists(record) && Files.readString(record).equals(baselineOptions);
        if (!recorded || !Files.exists(baseline.weights())) {
            if (!recorded || !Files.exists(cfg)) {
                NetworkSpec spec;
                try {
                    spec = BuiltinModels.byName(arch.trim().toLowerCase(Locale.ROOT), VocClasses.VOC.size(), size);
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
                Files.createDirectories(outDir);
                CfgWriter.write(spec, cfg);
            }
            boolean resume = false;
            boolean replace = false;
            if (Files.isDirectory(baseline.dir())) {
                if (recorded) {
                    resume = true; // an interrupted run with these options continues from its checkpoint
                } else {
                    err.println("baseline: the one in " + baseline.dir() + " was trained with other options; "
                            + "training it again");
                    replace = true;
                }
            }
            // recorded before training, so that an interrupted run is resumed, not restarted, by the next demo
            AtomicFiles.writeString(record, baselineOptions);
            TrainingSettings training = TrainingSettings.defaults().withEpochs(epochs).withBatch(BASELINE_BATCH)
                    .withLr(BASELINE_LR).withBurnIn(BASELINE_BURN_IN).withEvalEvery(epochs).withSeed(seed)
                    .withThreads(threads);
            TrainingRun.Result trained = new TrainingStage(cfg, null, voc, training)
                    .run(baseline.dir(), replace, resume, progress);
            double map = trained.evaluation() == null ? Double.NaN : trained.evaluation().result().map11Point();
            out.printf(Locale.ROOT, "baseline: %s, mAP@0.5 %.4f (VOC07 11-point)%n", trained.weightsFile(), map);
        }
        return new Baseline(baseline.cfg(), baseline.weights(), voc, VocClasses.VOC,
                arch + " at " + size + " (trained " + epochs + " epochs here) on synthetic PASCAL VOC",
                baseline.dir().toString());
    }

    /**
     * True when {@code compress} holds a run the demo cannot continue: one whose input weights are not
     * {@code weights} (by SHA-256), or one written by another EdgeSlim version.
     */
    private static boolean ownsNoCurrentRun(Path compress, Path weights) throws IOException {
        if (!Files.exists(compress.resolve(PipelineManifest.FILE))) {
            return false;
        }
        PipelineManifest manifest;
        try {
            manifest = PipelineManifest.read(compress);
        } catch (BadInputException unreadable) {
            return false; // the pipeline itself refuses an unreadable manifest, naming the file
        }
        return manifest.format() != PipelineManifest.FORMAT || !manifest.inputSha256("weights").equals(Sha256.of(weights));
    }

    private static void step(PrintStream err, int n, String what) {
        err.println();
        err.println("[" + n + "/5] " + what);
    }
}
