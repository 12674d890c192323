package dev.edgeslim.compressor.bench;

import dev.edgeslim.compressor.export.tflite.CalibrationSource;
import dev.edgeslim.compressor.export.tflite.DatasetCalibration;
import dev.edgeslim.compressor.export.onnx.OnnxExportOptions;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.Precision;
import dev.edgeslim.compressor.export.tflite.ImageFolderCalibration;
import dev.edgeslim.compressor.prune.PruneReport;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.data.Datasets;
import dev.edgeslim.detector.data.VocClasses;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.inference.DatasetEvaluation;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PASCAL VOC benchmark: every model in every requested format scored on one VOC split with exactly the
 * pipeline of {@code edgeslim eval} ({@link DatasetEvaluation}: letterbox, decode, NMS, thresholds, VOC07 and
 * VOC2010+ AP), sized (parameters, BFLOPs at the input size, file size), and timed in one interleaved
 * {@link LatencyBenchmark} run so that latency ratios between rows are same-run ratios.
 *
 * <p>Order of work: per model, load the darknet files; per format, load or export (TFLite files go to
 * {@link Options#modelsDir()}; int8 is calibrated on the training split or a folder of images) and evaluate; then
 * one latency run over every row that loaded. Nothing that goes wrong with one row stops the others: a model that
 * does not load, an export or runtime that fails, a missing split — each becomes an error on the rows it affects
 * ({@link BenchResult.RowError}), and what can still be measured is measured (a missing split leaves sizes and
 * latency).
 */
public final class VocBenchmark {
    /** Progress-bar units for loading or exporting a row, relative to one image through a model. */
    private static final int PREPARE_UNITS = 10;

    /**
     * @param split       the split to score; null: test, or val when the dataset has no test split (VOC2012)
     * @param size        input width = height for every model; 0 keeps each cfg's
     * @param maxImages   score at most this many images of the split (evenly spaced); 0 for all
     * @param calibDir    folder of int8 calibration images; null to use {@code calibSplit} of the dataset
     * @param modelsDir   where exported .tflite files (and a cfg at a forced size) are written
     * @param classes     the class names of the dataset's annotations (and of the models)
     */
    public record Options(Path data, String split, int size, int threads, int warmup, int runs, int evalBatch,
                          int maxImages, Path calibDir, String calibSplit, int calibImages, double percentile,
                          Path modelsDir, boolean quick, VocClasses classes) {
    }

    /** Where the benchmark is; units are planned once and advanced as work is done, so an ETA can be shown. */
    public interface Progress {
        void start(long totalUnits);

        void advance(long units);

        void status(String text);

        Progress NONE = new Progress() {
            @Override
            public void start(long totalUnits) {
            }

            @Override
            public void advance(long units) {
            }

            @Override
            public void status(String text) {
            }
        };
    }

    private final List<BenchModel> models;
    private final Options options;
    private final Progress progress;
    private final DetectorOptions detectorOptions = DatasetEvaluation.evaluationOptions();
    private VocDataset dataset;
    private String dataError;
    private String split;
    private String splitNote;
    private int imagesInSplit;
    private CalibrationSource calibration;
    private String calibrationDescription;
    private String calibrationError;
    /** One source per input transform: each model is calibrated on images fitted as it sees them. */
    private final java.util.Map<dev.edgeslim.detector.model.ResizeMode, CalibrationSource> calibrations =
            new java.util.EnumMap<>(dev.edgeslim.detector.model.ResizeMode.class);

    private VocBenchmark(List<BenchModel> models, Options options, Progress progress) {
        this.models = List.copyOf(models);
        this.options = options;
        this.progress = progress;
    }

    /** Runs the benchmark. Only failures of the machinery itself (e.g. the models folder) are thrown. */
    public static BenchResult run(List<BenchModel> models, Options options, Progress progress) throws IOException {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no model to benchmark");
        }
        return new VocBenchmark(models, options, progress).run();
    }

    /** A row while it is being measured. */
    private static final class Row {
        final BenchModel model;
        final BenchFormat format;
        final List<BenchResult.RowError> errors = new ArrayList<>();
        NetworkSpec spec;
        FormatRuntime runtime;
        Path file;
        long bytes = -1;
        DatasetEvaluation.Outcome outcome;
        LatencyStats latency;

        Row(BenchModel model, BenchFormat format) {
            this.model = model;
            this.format = format;
        }

        void fail(String stage, String message) {
            errors.add(new BenchResult.RowError(stage, message));
        }

        BenchResult.RowResult result() {
            return new BenchResult.RowResult(model.name(), format, file, bytes,
                    outcome == null ? null : outcome.result(), outcome == null ? 0 : outcome.images(),
                    outcome == null ? 0 : outcome.seconds(), latency, errors);
        }
    }

    private BenchResult run() throws IOException {
        long started = System.nanoTime();
        MachineInfo machine = MachineInfo.current();
        openData();
        int images = dataset == null ? 0 : dataset.size();
        progress.start(plannedUnits(images));

        List<Row> rows = new ArrayList<>();
        Map<String, NetworkSpec> specs = new LinkedHashMap<>();
        List<BenchResult.ModelResult> loaded = new ArrayList<>();
        try {
            for (BenchModel m : models) {
                progress.status(m.name() + ": loading");
                NetworkSpec spec = null;
                WeightStore weights = null;
                String error = null;
                try {
                    // the cfg on its own first: a row whose weights cannot be read still reports the model's size
                    spec = loadSpec(m);
                    weights = DarknetWeights.read(m.weights(), spec);
                } catch (RuntimeException e) {
                    error = message(e);
                }
                loaded.add(new BenchResult.ModelResult(m, spec == null ? 0 : spec.net().width(),
                        spec == null ? 0 : spec.net().height(), spec == null ? 0 : spec.totalParams(),
                        spec == null ? 0 : spec.totalFlops() / 1e9, null, null, error));
                if (error == null) {
                    specs.put(m.name(), spec);
                }
                Path openCvCfg = null;
                for (BenchFormat format : m.formats()) {
                    Row row = new Row(m, format);
                    row.spec = spec;
                    rows.add(row);
                    if (error != null) {
                        row.fail("load", error);
                        progress.advance(prepareUnits(format) + images); // its latency units pass in measureLatency
                        continue;
                    }
                    if (format == BenchFormat.OPENCV && openCvCfg == null) {
                        openCvCfg = openCvCfg(m, spec);
                    }
                    prepare(row, weights, openCvCfg);
                    progress.advance(prepareUnits(format));
                    evaluate(row, images);
                }
            }
            measureLatency(rows);
        } finally {
            for (Row r : rows) {
                if (r.runtime != null) {
                    r.runtime.close();
                }
            }
        }
        List<BenchResult.ModelResult> results = new ArrayList<>();
        for (BenchResult.ModelResult m : loaded) {
            results.add(withReference(m, specs));
        }
        BenchResult.DataInfo data = new BenchResult.DataInfo(options.data(), split, splitNote, images, imagesInSplit,
                dataset == null ? List.of() : dataset.classes().names(), calibrationDescription,
                calibration == null ? 0 : calibration.size(), dataError);
        BenchResult.Settings settings = new BenchResult.Settings(options.size(), options.threads(), options.warmup(),
                options.runs(), options.evalBatch(), decimal(detectorOptions.confThreshold()),
                decimal(detectorOptions.iouThreshold()),
                detectorOptions.maxDetections(), options.percentile(), options.quick());
        return new BenchResult(data, settings, machine, results, rows.stream().map(Row::result).toList(),
                (System.nanoTime() - started) / 1e9);
    }

    /** The split to score: as asked, or test falling back to val (a VOC2012-only devkit has no test labels). */
    private void openData() {
        split = options.split();
        if (split == null) {
            split = "test";
            if (!VocDataset.hasSplit(options.data(), "test") && VocDataset.hasSplit(options.data(), "val")) {
                split = "val";
                splitNote = "no test split in this VOCdevkit (VOC2012 has no public test labels): scored on val";
            }
        }
        try {
            VocDataset all = Datasets.open(options.data(), split,
                    VocDataset.Options.defaults().withClasses(options.classes()));
            imagesInSplit = all.size();
            dataset = options.maxImages() > 0 ? all.subset(options.maxImages()) : all;
        } catch (BadInputException e) {
            dataError = message(e);
        }
    }

    private long plannedUnits(int images) {
        long total = 0;
        for (BenchModel m : models) {
            for (BenchFormat f : m.formats()) {
                total += rowUnits(f, images);
            }
        }
        return total;
    }

    private long rowUnits(BenchFormat format, int images) {
        return prepareUnits(format) + images + 1 + options.warmup() + options.runs();
    }

    private int prepareUnits(BenchFormat format) {
        return PREPARE_UNITS + (format.exportPrecision() == Precision.INT8 ? options.calibImages() : 0);
    }

    private NetworkSpec loadSpec(BenchModel m) {
        NetworkSpec spec = CfgParser.parse(m.cfg());
        if (options.size() > 0) {
            spec = DarknetModel.atInputSize(spec, options.size(), m.cfg());
        }
        if (spec.yoloLayers().isEmpty()) {
            throw new BadInputException(m.cfg(), "has no [yolo] layer: not a detector");
        }
        return spec;
    }

    /** OpenCV reads the cfg file itself: the user's, or one rewritten at the forced input size. */
    private Path openCvCfg(BenchModel m, NetworkSpec spec) throws IOException {
        if (options.size() <= 0) {
            return m.cfg();
        }
        Files.createDirectories(options.modelsDir());
        Path cfg = options.modelsDir().resolve(m.name() + "-" + options.size() + ".cfg");
        CfgWriter.write(spec, cfg);
        return cfg;
    }

    private void prepare(Row row, WeightStore weights, Path openCvCfg) {
        BenchModel m = row.model;
        progress.status(row.model.name() + " " + row.format.cliName() + ": "
                + (row.format.isExported() ? "exporting" : "loading"));
        try {
            row.runtime = switch (row.format) {
                case TF -> FormatRuntime.tensorFlow(row.spec, weights, m.weights(), options.threads());
                case OPENCV -> FormatRuntime.openCv(openCvCfg, m.weights(), options.threads());
                case TFLITE_FP32, TFLITE_FP16, TFLITE_INT8 -> {
                    ExportOptions export = exportOptions(row);
                    Files.createDirectories(options.modelsDir());
                    yield export == null ? null : FormatRuntime.tflite(row.spec, weights, export,
                            options.modelsDir().resolve(m.name() + "-" + row.format.cliName() + ".tflite"),
                            row.format.cliName(), options.threads());
                }
                case ONNX_FP32, ONNX_INT8 -> {
                    ExportOptions export = exportOptions(row);
                    Files.createDirectories(options.modelsDir());
                    yield export == null ? null : FormatRuntime.onnx(row.spec, weights, OnnxExportOptions.of(export),
                            options.modelsDir().resolve(m.name() + "-" + row.format.cliName() + ".onnx"),
                            row.format.cliName(), options.threads());
                }
            };
            if (row.runtime != null) {
                row.file = row.runtime.file();
                row.bytes = row.runtime.bytes();
            }
        } catch (IOException | RuntimeException e) {
            row.fail(row.format.isExported() ? "export" : "load", message(e));
        }
    }

    /** Export options of a TFLite or ONNX row; null (with the row failed) when int8 has no calibration images. */
    private ExportOptions exportOptions(Row row) {
        List<String> names = dataset != null && dataset.classes().size() == row.spec.classes()
                ? dataset.classes().names() : List.of();
        ExportOptions o = switch (row.format) {
            case TFLITE_FP32, ONNX_FP32 -> ExportOptions.fp32();
            case TFLITE_FP16 -> ExportOptions.fp16();
            default -> {
                CalibrationSource c = calibration(row.spec.net().resizeMode());
                if (c == null) {
                    row.fail("export", calibrationError);
                    yield null;
                }
                yield ExportOptions.int8(c, c.size(), options.percentile());
            }
        };
        return o == null ? null : o.withClassNames(names).withSource(row.model.weights().toString())
                .withThreads(options.threads());
    }

    /** The int8 calibration images fitted by {@code mode}: a folder, or the dataset's training split. */
    private CalibrationSource calibration(dev.edgeslim.detector.model.ResizeMode mode) {
        if (!calibrations.containsKey(mode) && calibrationError == null) {
            try {
                if (options.calibDir() != null) {
                    if (!Files.isDirectory(options.calibDir())) {
                        throw new BadInputException(options.calibDir(), "no such folder of calibration images");
                    }
                    ImageFolderCalibration c = new ImageFolderCalibration(options.calibDir(), options.calibImages(),
                            mode);
                    calibrationDescription = "folder " + options.calibDir();
                    calibration = c;
                } else {
                    VocDataset train = Datasets.open(options.data(), options.calibSplit(),
                            VocDataset.Options.defaults().withClasses(options.classes()));
                    calibration = new DatasetCalibration(train, options.calibImages(), mode);
                    calibrationDescription = "split '" + options.calibSplit() + "' of " + options.data();
                }
                calibrations.put(mode, calibration);
            } catch (BadInputException e) {
                calibrationError = "no int8 calibration images: " + message(e) + " (give --calib DIR or --calib-split)";
            }
        }
        return calibrations.get(mode);
    }

    private void evaluate(Row row, int images) {
        if (row.runtime == null) {
            progress.advance(images);
            return;
        }
        if (dataset == null) {
            row.fail("data", dataError);
            progress.advance(images);
            return;
        }
        if (dataset.classes().size() != row.spec.classes()) {
            row.fail("eval", row.model.cfg() + ": the model has " + row.spec.classes() + " classes but the dataset has "
                    + dataset.classes().size());
            progress.advance(images);
            return;
        }
        progress.status(row.model.name() + " " + row.format.cliName() + ": mAP");
        int[] done = {0};
        try {
            row.outcome = DatasetEvaluation.evaluate(row.runtime.timed(), row.spec, dataset, options.evalBatch(),
                    detectorOptions, n -> {
                        progress.advance(n - done[0]);
                        done[0] = n;
                    });
        } catch (RuntimeException e) {
            row.fail("eval", message(e));
            progress.advance(images - done[0]);
        }
    }

    /**
     * One interleaved run over every row that loaded, each with a fixed pseudo-random image of its own input size
     * (the input does not change the amount of work). A row whose runtime fails a first forward pass is left out
     * with an error, so it cannot spoil the others' run.
     */
    private void measureLatency(List<Row> rows) {
        int perRow = 1 + options.warmup() + options.runs();
        List<Row> timed = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        for (Row r : rows) {
            if (r.runtime == null) {
                progress.advance(perRow);
                continue;
            }
            float[] input = LatencyBenchmark.randomInput(r.spec.inputShape().elements());
            try {
                r.runtime.timed().run(input, 1);
                timed.add(r);
                inputs.add(input);
                progress.advance(1);
            } catch (RuntimeException e) {
                r.fail("latency", message(e));
                progress.advance(perRow);
            }
        }
        if (timed.isEmpty()) {
            return;
        }
        progress.status("latency: " + timed.size() + " rows interleaved, " + options.runs() + " runs each");
        try {
            List<LatencyStats> stats = LatencyBenchmark.measureEach(timed.stream().map(r -> r.runtime.timed()).toList(),
                    inputs, 1, options.warmup(), options.runs(), () -> progress.advance(1));
            for (int i = 0; i < timed.size(); i++) {
                timed.get(i).latency = stats.get(i);
            }
        } catch (RuntimeException e) {
            for (Row r : timed) {
                r.fail("latency", message(e));
            }
        }
    }

    /**
     * Fills in the model a compressed model came from: the one it names (a compress run's input), else the first
     * earlier model with the same topology and more parameters; and the per-layer comparison with it.
     */
    private static BenchResult.ModelResult withReference(BenchResult.ModelResult m, Map<String, NetworkSpec> specs) {
        NetworkSpec spec = specs.get(m.model().name());
        if (spec == null) {
            return m;
        }
        String reference = null;
        if (m.model().reference() != null) {
            NetworkSpec ref = specs.get(m.model().reference());
            if (ref != null && PruneReport.topologyDifference(ref, spec) == null) {
                reference = m.model().reference();
            }
        } else {
            for (Map.Entry<String, NetworkSpec> e : specs.entrySet()) {
                if (e.getKey().equals(m.model().name())) {
                    break; // only earlier models
                }
                if (e.getValue().totalParams() > spec.totalParams()
                        && PruneReport.topologyDifference(e.getValue(), spec) == null) {
                    reference = e.getKey();
                    break;
                }
            }
        }
        if (reference == null) {
            return m;
        }
        return new BenchResult.ModelResult(m.model(), m.width(), m.height(), m.params(), m.bflops(), reference,
                PruneReport.between(specs.get(reference), spec), m.error());
    }

    /** A float threshold as the decimal it was written as (0.005, not 0.004999999888). */
    private static double decimal(float v) {
        return Double.parseDouble(Float.toString(v));
    }

    /** One line for a report: input errors already name their file; others get their type when they lack a message. */
    static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m.lines().findFirst().orElse(m).strip();
    }
}
