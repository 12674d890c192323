package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.data.NamesFile;
import dev.edgeslim.compressor.export.onnx.OnnxExportOptions;
import dev.edgeslim.compressor.export.onnx.OnnxExporter;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.ExportedTflite;
import dev.edgeslim.compressor.export.tflite.ImageFolderCalibration;
import dev.edgeslim.compressor.export.tflite.Precision;
import dev.edgeslim.compressor.export.tflite.TfliteExporter;
import dev.edgeslim.compressor.export.tflite.TfliteMetadata;
import dev.edgeslim.detector.darknet.DarknetModel;
import dev.edgeslim.detector.data.NamesFile;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code edgeslim export --cfg FILE --weights FILE --format tflite|onnx|darknet [--quant fp32|fp16|int8]
 * [--calib DIR [--calib-images N] [--percentile P] [--float-io | --integer-only]] [--opset N] [--dynamic-batch]
 * [--names FILE] --out FILE [--force] [--threads N]
 * [--json]}.
 * <ul>
 *   <li>{@code --format tflite}: writes {@code OUT} (the .tflite model) and {@code OUT.json} (its
 *   {@link TfliteMetadata}). {@code --quant} fp32 (default), fp16 or int8; int8 needs {@code --calib DIR}, a
 *   folder of images (letterboxed like inference input), of which {@code --calib-images} (default 100; all when
 *   the folder has fewer) evenly spaced ones are used, with min/max ranges or, with {@code --percentile P} (50 &lt; P &lt; 100), P-th
 *   percentile ranges. {@code --float-io} (int8): float32 input and outputs around the integer graph
 *   (QUANTIZE/DEQUANTIZE; the metadata says float32), same compute. {@code --integer-only} (int8): Mish, Swish
 *   and logistic as integer lookup tables instead of float islands, so no tensor is float (for integer-only
 *   accelerators; slower on XNNPACK, which does not take the lookups). {@code --names} puts class names in the
 *   metadata.</li>
 *   <li>{@code --format onnx}: writes {@code OUT}, one ONNX graph (see {@code OnnxExporter}) whose metadata_props
 *   carry what {@code OUT.json} holds for TFLite. {@code --quant}, {@code --calib}, {@code --calib-images},
 *   {@code --percentile} and {@code --names} as for TFLite (int8 is QDQ with the same calibration);
 *   {@code --opset N} (default 17, 13 to 21) and {@code --dynamic-batch} (a symbolic batch dimension). An existing
 *   {@code OUT} is replaced only with {@code --force}. Bad input here exits 2: int8 without {@code --calib}, an opset
 *   too old for the graph's ops, an existing output without {@code --force}.</li>
 *   <li>{@code --format darknet}: writes {@code OUT.cfg} and {@code OUT.weights} side by side ({@code OUT} may
 *   end in .cfg or .weights, which is dropped).</li>
 * </ul>
 * An existing output file is replaced only when it is an earlier export of the same kind, or with
 * {@code --force}. Every flag and input file is checked before anything is written; each output file is written atomically,
 * and if a later one fails the earlier ones of this run are removed, so outputs appear complete or not at all.
 * JSON fields ({@code --json}): {@code format} (tflite or darknet), {@code precision} (fp32/fp16/int8, null for
 * darknet), {@code files} (written paths), {@code bytes} (total size written), {@code params},
 * {@code heads} (number of [yolo] outputs), {@code calibration_images} (int8 only, else null),
 * {@code input_quantization} ({@code scale}, {@code zero_point}; int8 with int8 input only, else null),
 * {@code opset} and {@code dynamic_batch} (onnx only),
 * {@code float_io} (int8 with --float-io), {@code integer_only} (int8 with --integer-only).
 */
public final class ExportCommand implements Command {
    static final int DEFAULT_CALIBRATION_IMAGES = ExportOptions.DEFAULT_CALIBRATION_IMAGES;

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "write a model as .tflite or .onnx (fp32, fp16, int8 with calibration) or darknet cfg + weights";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim export --cfg FILE --weights FILE --format tflite|onnx|darknet"
                + " [--quant fp32|fp16|int8] [--calib DIR [--calib-images N] [--percentile P]"
                + " [--float-io | --integer-only]] [--opset N] [--dynamic-batch]"
                + " [--names FILE]"
                + " --out FILE [--force] [--json]")
                .required("cfg", "FILE", "darknet cfg of the network")
                .required("weights", "FILE", "darknet .weights matching the cfg")
                .required("format", "FORMAT", "tflite, onnx, or darknet (cfg + weights)")
                .value("quant", "Q", "tflite/onnx precision: fp32 (default), fp16 (half-size weights) or int8"
                        + " (int8 weights and feature maps, needs --calib)")
                .value("calib", "DIR", "int8: folder of calibration images (jpg, jpeg, png, bmp)")
                .value("calib-images", "N", "int8: calibration images to use (default " + DEFAULT_CALIBRATION_IMAGES + ")")
                .value("percentile", "P", "int8: clip ranges at the P-th percentile, 50 < P <= 100 (default 100:"
                        + " min/max)")
                .flag("float-io", "int8: float32 input and outputs (QUANTIZE/DEQUANTIZE) around the int8 graph")
                .flag("integer-only", "int8: no float tensor at all (Mish, Swish, logistic as integer lookup"
                        + " tables; for integer-only accelerators, slower on XNNPACK)")
                .value("opset", "N", "onnx: opset of the default domain, " + OnnxExportOptions.MIN_OPSET + " to "
                        + OnnxExportOptions.MAX_OPSET + " (default " + OnnxExportOptions.DEFAULT_OPSET + ")")
                .flag("dynamic-batch", "onnx: a symbolic batch dimension (default batch 1)")
                .value("names", "FILE", "class names for the model metadata, darknet .names (default: the model's "
                        + dev.edgeslim.detector.data.VocClasses.FILE_NAME + " if it has one)")
                .required("out", "FILE", "tflite: the model file (metadata goes to FILE.json);"
                        + " darknet: FILE.cfg and FILE.weights")
                .value("threads", "N", "threads for calibration inference (default 2)")
                .flag("force", "replace output files that are not earlier exports")
                .flag("json", "print machine-readable JSON instead of a summary");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        // 1. every flag, before any file is touched
        Path cfgFile = p.requiredPath("cfg");
        Path weightsFile = p.requiredPath("weights");
        String format = p.required("format").trim().toLowerCase(Locale.ROOT);
        if (!format.equals("tflite") && !format.equals("onnx") && !format.equals("darknet")) {
            throw new UsageException("--format must be tflite, onnx or darknet, got '" + p.required("format") + "'");
        }
        Path outFile = p.requiredPath("out");
        boolean tflite = format.equals("tflite");
        boolean onnx = format.equals("onnx");
        if (!tflite && !onnx) {
            for (String flag : List.of("quant", "calib", "calib-images", "percentile", "float-io", "integer-only",
                    "names", "threads")) {
                if (p.has(flag)) {
                    throw new UsageException("--" + flag + " only applies to --format tflite or onnx");
                }
            }
        }
        if (!onnx) {
            for (String flag : List.of("opset", "dynamic-batch")) {
                if (p.has(flag)) {
                    throw new UsageException("--" + flag + " only applies to --format onnx");
                }
            }
        } else {
            for (String flag : List.of("float-io", "integer-only")) {
                if (p.has(flag)) {
                    throw new UsageException("--" + flag + " only applies to --format tflite");
                }
            }
        }
        Precision precision = Precision.FP32;
        if (p.has("quant")) {
            precision = Precision.fromName(p.required("quant"));
            if (precision == null) {
                throw new UsageException("--quant must be fp32, fp16 or int8, got '" + p.required("quant") + "'");
            }
        }
        boolean int8 = precision == Precision.INT8;
        boolean floatIo = p.has("float-io");
        boolean integerOnly = p.has("integer-only");
        if (floatIo && integerOnly) {
            throw new UsageException("--float-io and --integer-only exclude each other (float I/O means float tensors)");
        }
        if (int8 && !p.has("calib")) {
            if (onnx) {
                throw new BadInputException(weightsFile, "--quant int8 needs calibration data: give --calib DIR, a"
                        + " folder of representative images");
            }
            throw new UsageException("--quant int8 needs --calib DIR (calibration images)");
        }
        if (!int8) {
            for (String flag : List.of("calib", "calib-images", "percentile", "float-io", "integer-only")) {
                if (p.has(flag)) {
                    throw new UsageException("--" + flag + " only applies to --quant int8");
                }
            }
        }
        int calibrationImages = p.integer("calib-images", DEFAULT_CALIBRATION_IMAGES, 1, 100_000);
        double percentile = p.number("percentile", 100, 50, 100);
        if (percentile <= 50) {
            throw new UsageException("--percentile must be above 50, got " + percentile);
        }
        int threads = p.integer("threads", 2, 1, 256);
        if (Files.isDirectory(outFile)) {
            throw new UsageException("--out " + outFile + " is a directory; give a file name");
        }
        int opset = p.integer("opset", OnnxExportOptions.DEFAULT_OPSET, 1, 1000);
        if (onnx && (opset < OnnxExportOptions.MIN_OPSET || opset > OnnxExportOptions.MAX_OPSET)) {
            throw new BadInputException(cfgFile, OnnxExporter.opsetProblem(opset));
        }
        List<Path> darknetFiles = tflite || onnx ? null : darknetOutputs(outFile);
        boolean force = p.has("force");
        if (onnx) {
            OutputFiles.checkReplaceable(outFile, OnnxExporter.KIND, force);
        } else if (tflite) {
            OutputFiles.checkReplaceable(outFile, OutputFiles.TFLITE, force);
            OutputFiles.checkReplaceable(TfliteMetadata.fileFor(outFile), TfliteMetadata.KIND, force);
        } else {
            OutputFiles.checkReplaceable(darknetFiles.get(0), OutputFiles.DARKNET_CFG, force);
            OutputFiles.checkReplaceable(darknetFiles.get(1), OutputFiles.DARKNET_WEIGHTS, force);
        }

        // 2. every input file, still before writing
        DarknetModel model = DarknetModel.load(cfgFile, weightsFile);
        NetworkSpec spec = model.spec();
        WeightStore weights = model.weights();
        // --names, else the names recorded beside the model (a training run's classes.names), else none
        List<String> names = p.has("names") ? NamesFile.read(p.path("names")) : List.of();
        if (names.isEmpty() && (tflite || onnx)) {
            dev.edgeslim.detector.data.VocClasses known = ClassNames.givenOrRecorded(p, cfgFile, weightsFile,
                    spec.classes());
            names = known == null ? List.of() : known.names();
        }
        if (!names.isEmpty() && names.size() != spec.classes()) {
            throw new BadInputException(p.path("names"), names.size() + " class names, but " + cfgFile + " has "
                    + spec.classes() + " classes");
        }
        ImageFolderCalibration calibration = null;
        if (int8) {
            Path dir = p.path("calib");
            if (!Files.isDirectory(dir)) {
                throw new BadInputException(dir, "no such folder of calibration images");
            }
            calibration = new ImageFolderCalibration(dir, calibrationImages, spec.net().resizeMode());
        }

        // 3. export, then write
        ObjectNode json = Json.object();
        json.put("format", format);
        json.put("params", spec.totalParams());
        json.put("heads", spec.yoloLayers().size());
        List<Path> written;
        ExportedTflite exported = null;
        if (onnx) {
            ExportOptions base = (int8 ? ExportOptions.int8(calibration, calibration.size(), percentile)
                    : precision == Precision.FP16 ? ExportOptions.fp16() : ExportOptions.fp32())
                    .withClassNames(names).withSource(weightsFile.toString()).withThreads(threads);
            OnnxExportOptions onnxOptions = OnnxExportOptions.of(base).withOpset(opset)
                    .withDynamicBatch(p.has("dynamic-batch"));
            OnnxExporter.export(spec, weights, onnxOptions).write(outFile);
            written = List.of(outFile);
            json.put("precision", precision.cliName());
            json.put("opset", opset);
            json.put("dynamic_batch", p.has("dynamic-batch"));
        } else if (tflite) {
            ExportOptions exportOptions = (int8
                    ? ExportOptions.int8(calibration, calibration.size(), percentile)
                    : precision == Precision.FP16 ? ExportOptions.fp16() : ExportOptions.fp32())
                    .withClassNames(names).withSource(weightsFile.toString()).withThreads(threads);
            if (floatIo) {
                exportOptions = exportOptions.withFloatIo(true);
            }
            if (integerOnly) {
                exportOptions = exportOptions.withIntegerOnly(true);
            }
            exported = TfliteExporter.export(spec, weights, exportOptions);
            exported.write(outFile);
            written = List.of(outFile, TfliteMetadata.fileFor(outFile));
            json.put("precision", precision.cliName());
        } else {
            new DarknetModel(spec, weights).write(darknetFiles.get(0), darknetFiles.get(1));
            written = darknetFiles;
            json.putNull("precision");
        }
        long bytes = 0;
        for (Path f : written) {
            bytes += Files.size(f);
        }
        json.putPOJO("files", written.stream().map(Path::toString).toList());
        json.put("bytes", bytes);
        TfliteMetadata.Quantization inputQuantization = exported == null ? null
                : exported.metadata().input().quantization();
        if ((exported != null || onnx) && int8) {
            json.put("calibration_images", calibration.size());
        } else {
            json.putNull("calibration_images");
        }
        if (inputQuantization != null) {
            ObjectNode iq = json.putObject("input_quantization");
            iq.put("scale", inputQuantization.scale());
            iq.put("zero_point", inputQuantization.zeroPoint());
        } else {
            json.putNull("input_quantization");
        }
        json.put("float_io", floatIo);
        json.put("integer_only", integerOnly);

        if (p.has("json")) {
            out.println(Json.write(json));
        } else {
            out.printf("exported %s (%s%s): %,d params, %d heads%n", cfgFile, format,
                    tflite || onnx ? " " + precision.cliName() : "", spec.totalParams(), spec.yoloLayers().size());
            for (Path f : written) {
                out.printf("  %s (%,d bytes)%n", f, Files.size(f));
            }
            if (inputQuantization != null) {
                out.printf("  int8 input: q = round(x / %.8f) + %d for x in [0,1]; calibrated on %d images%s%n",
                        inputQuantization.scale(), inputQuantization.zeroPoint(), calibration.size(),
                        integerOnly ? "; integer only" : "");
            } else if (floatIo) {
                out.printf("  float32 input and outputs around the int8 graph; calibrated on %d images%n",
                        calibration.size());
            } else if (onnx && int8) {
                out.printf("  int8 QDQ (float32 input and outputs); calibrated on %d images%n", calibration.size());
            }
        }
        return OK;
    }

    /** OUT.cfg and OUT.weights, with a .cfg or .weights ending of OUT dropped. */
    private static List<Path> darknetOutputs(Path out) {
        String name = out.getFileName() == null ? "" : out.getFileName().toString();
        String stem = name.endsWith(".cfg") ? name.substring(0, name.length() - 4)
                : name.endsWith(".weights") ? name.substring(0, name.length() - 8) : name;
        if (stem.isEmpty()) {
            throw new UsageException("--out needs a file name, got '" + out + "'");
        }
        return List.of(out.resolveSibling(stem + ".cfg"), out.resolveSibling(stem + ".weights"));
    }
}
