package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.compressor.bench.LatencyBenchmark;
import dev.edgeslim.compressor.bench.LatencyStats;
import dev.edgeslim.compressor.bench.MachineInfo;
import dev.edgeslim.compressor.bench.TimedModel;
import dev.edgeslim.compressor.export.onnx.OnnxExportOptions;
import dev.edgeslim.compressor.export.onnx.OnnxExporter;
import dev.edgeslim.compressor.export.onnx.OnnxRunner;
import dev.edgeslim.compressor.export.tflite.CalibrationSource;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.TfliteExporter;
import dev.edgeslim.compressor.export.tflite.TfliteRunner;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFolder;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.opencv.OpenCvDarknetModel;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code edgeslim bench latency --cfg FILE [--weights FILE] [--size S] [--threads 2] [--warmup 5] [--runs 20]
 * [--tflite] [--onnx] [--json OUT.json]}: forward-pass latency of TF Java ({@code InferenceModel}) and OpenCV DNN
 * (with --tflite also the TFLite fp32/int8 exports, with --onnx the ONNX fp32/int8 exports in ONNX Runtime) on the
 * same model and the same random input (batch 1), measured in one process with interleaved runs (see {@code LatencyBenchmark}).
 * Without --weights, seeded random weights ({@code WeightInitializer.forTesting}, seed 1) are used and written to a
 * temporary .weights file for OpenCV. Prints a table; with --json also writes, atomically:
 * <pre>
 * {cfg, weights (path or null for random), size, batch, threads, warmup, runs,
 *  machine{cpu, cores, os, java, tensorflow, opencv, tflite},
 *  results:[{runtime, median_ms, p90_ms, mean_ms, min_ms, ratio_vs_opencv, samples_ms[]}]}
 * </pre>
 * {@code runtime} is "tensorflow-java", "opencv-dnn", "tflite-fp32", "tflite-int8", "onnx-fp32" or "onnx-int8";
 * {@code ratio_vs_opencv} is this runtime's median divided by OpenCV's median (the project target for TF Java is ≤ 0.8); times are wall-clock milliseconds per forward pass
 * including input copy-in and output copy-out.
 */
public final class LatencyBenchCommand implements Command {
    private static final long RANDOM_WEIGHTS_SEED = 1;

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public String summary() {
        return "forward-pass latency of TF Java vs OpenCV DNN on one model";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        CliOptions options = new CliOptions("edgeslim bench latency --cfg FILE [--weights FILE] [--size S] [--threads 2]"
                + " [--warmup 5] [--runs 20] [--tflite] [--onnx] [--json OUT.json [--force]]")
                .required("cfg", "FILE", "darknet .cfg of the model")
                .value("weights", "FILE", "darknet .weights (default: seeded random weights)")
                .value("size", "S", "input width = height (default: the cfg's width)")
                .value("threads", "N", "threads for both runtimes (default 2)")
                .value("warmup", "N", "untimed runs first (default 5)")
                .value("runs", "N", "timed runs per runtime (default 20)")
                .value("json", "OUT.json", "also write the results as JSON")
                .flag("force", "replace a --json file that is not a JSON report")
                .flag("tflite", "also time the model exported to TFLite fp32 and int8 (XNNPACK delegate, float"
                        + " and int8 ops)")
                .flag("onnx", "also time the model exported to ONNX fp32 and int8 (QDQ) in ONNX Runtime (CPU)");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        Path cfg = p.requiredPath("cfg");
        Path weightsFile = p.path("weights");
        int threads = p.integer("threads", 2, 1, 256);
        int warmup = p.integer("warmup", 5, 0, 100_000);
        int runs = p.integer("runs", 20, 1, 100_000);
        Path json = p.path("json");
        if (json != null) {
            OutputFiles.checkReplaceable(json, OutputFiles.JSON, p.has("force"));
        }
        DarknetModel model;
        if (weightsFile == null) {
            NetworkSpec parsed = CfgParser.parse(cfg);
            model = new DarknetModel(parsed, WeightInitializer.forTesting(parsed, RANDOM_WEIGHTS_SEED));
        } else {
            model = DarknetModel.load(cfg, weightsFile);
        }
        int size = p.integer("size", model.spec().net().width(), 32, 4096);
        model = model.atInputSize(size, cfg);
        NetworkSpec spec = model.spec();
        if (spec.yoloLayers().isEmpty()) {
            throw new BadInputException(cfg, "has no [yolo] layer to time");
        }
        WeightStore weights = model.weights();

        Path tmp = Files.createTempDirectory("edgeslim-bench");
        Map<String, LatencyStats> stats;
        try {
            // OpenCV reads files: the cfg at the benchmark size, and the weights (written when random)
            Path cvCfg = tmp.resolve("model.cfg");
            CfgWriter.write(spec, cvCfg);
            Path cvWeights = weightsFile;
            if (cvWeights == null) {
                cvWeights = tmp.resolve("model.weights");
                DarknetWeights.write(weights, spec, cvWeights);
            }
            float[] input = LatencyBenchmark.randomInput(spec.inputShape().elements());
            List<TimedModel> models = new ArrayList<>();
            try {
                err.println("bench latency: building the TF Java graph and loading OpenCV DNN...");
                models.add(TimedModel.tensorFlow(InferenceModel.create(spec, weights, threads)));
                models.add(TimedModel.openCv(OpenCvDarknetModel.load(cvCfg, cvWeights, threads)));
                if (p.has("tflite")) {
                    err.println("bench latency: exporting to TFLite fp32 and int8...");
                    models.addAll(tfliteModels(spec, weights, input, threads));
                }
                if (p.has("onnx")) {
                    err.println("bench latency: exporting to ONNX fp32 and int8...");
                    models.addAll(onnxModels(spec, weights, input, threads));
                }
                try (ProgressBar bar = new ProgressBarBuilder().setTaskName("latency")
                        .setInitialMax((long) (warmup + runs) * models.size())
                        .setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(err))
                        .build()) {
                    stats = LatencyBenchmark.measure(models, input, 1, warmup, runs, bar::step);
                }
            } finally {
                models.forEach(TimedModel::close);
            }
        } finally {
            OutputFolder.deleteTree(tmp);
        }

        double reference = stats.get(TimedModel.OPENCV).medianMs();
        printTable(out, cfg, size, threads, runs, stats, reference);
        if (json != null) {
            AtomicFiles.writeString(json, Json.write(toJson(cfg, weightsFile, size, threads, warmup, runs, stats,
                    reference)) + "\n");
            out.println("wrote " + json);
        }
        return OK;
    }

    /** The same network as TFLite fp32 and int8 (int8 calibrated on the benchmark input: ranges do not change speed). */
    static List<TimedModel> tfliteModels(NetworkSpec spec, WeightStore weights, float[] input, int threads) {
        var fp32 = TfliteExporter.export(spec, weights,
                ExportOptions.fp32());
        var int8 = TfliteExporter.export(spec, weights,
                ExportOptions.int8(inputAsCalibration(input), 1, 100));
        var delegates = TfliteRunner.Delegates.XNNPACK; // the delegate that also takes the int8 graph
        return List.of(
                TimedModel.tflite("tflite-fp32", TfliteRunner.load(fp32.model(), threads, delegates), fp32.metadata()),
                TimedModel.tflite("tflite-int8", TfliteRunner.load(int8.model(), threads, delegates), int8.metadata()));
    }

    /** The same network as ONNX fp32 and int8 QDQ in ONNX Runtime, int8 calibrated as for TFLite. */
    static List<TimedModel> onnxModels(NetworkSpec spec, WeightStore weights, float[] input, int threads) {
        var fp32 = OnnxExporter.export(spec, weights, OnnxExportOptions.of(ExportOptions.fp32()));
        var int8 = OnnxExporter.export(spec, weights,
                OnnxExportOptions.of(ExportOptions.int8(inputAsCalibration(input), 1, 100)));
        List<TimedModel> models = new ArrayList<>();
        models.add(TimedModel.onnx("onnx-fp32", OnnxRunner.load(fp32.model(), threads)));
        try {
            models.add(TimedModel.onnx("onnx-int8", OnnxRunner.load(int8.model(), threads)));
        } catch (RuntimeException e) {
            models.forEach(TimedModel::close);
            throw e;
        }
        return models;
    }

    /** The benchmark input as the only calibration image (ranges do not change speed). */
    private static CalibrationSource inputAsCalibration(float[] input) {
        return new CalibrationSource() {
            @Override
            public int size() {
                return 1;
            }

            @Override
            public float[] image(int index, int width, int height) {
                return input.clone();
            }
        };
    }

    private static void printTable(PrintStream out, Path cfg, int size, int threads, int runs,
                                   Map<String, LatencyStats> stats, double reference) {
        out.printf("%s at %dx%d, batch 1, %d threads, %d timed runs each (interleaved)%n", cfg.getFileName(), size, size,
                threads, runs);
        out.printf("%-16s %10s %10s %10s %10s %12s%n", "runtime", "median ms", "p90 ms", "mean ms", "min ms",
                "vs opencv");
        stats.forEach((name, s) -> out.printf("%-16s %10.1f %10.1f %10.1f %10.1f %11.2fx%n", name, s.medianMs(),
                s.p90Ms(), s.meanMs(), s.minMs(), s.medianMs() / reference));
    }

    static ObjectNode toJson(Path cfg, Path weights, int size, int threads, int warmup, int runs,
                             Map<String, LatencyStats> stats, double reference) {
        ObjectNode root = Json.object();
        root.put("cfg", cfg.toString());
        if (weights == null) {
            root.putNull("weights");
        } else {
            root.put("weights", weights.toString());
        }
        root.put("size", size);
        root.put("batch", 1);
        root.put("threads", threads);
        root.put("warmup", warmup);
        root.put("runs", runs);
        root.set("machine", Json.MAPPER.valueToTree(MachineInfo.current()));
        ArrayNode results = root.putArray("results");
        stats.forEach((name, s) -> {
            ObjectNode r = results.addObject();
            r.put("runtime", name);
            r.put("median_ms", s.medianMs());
            r.put("p90_ms", s.p90Ms());
            r.put("mean_ms", s.meanMs());
            r.put("min_ms", s.minMs());
            r.put("ratio_vs_opencv", s.medianMs() / reference);
            ArrayNode samples = r.putArray("samples_ms");
            for (double v : s.samplesMs()) {
                samples.add(v);
            }
        });
        return root;
    }
}
