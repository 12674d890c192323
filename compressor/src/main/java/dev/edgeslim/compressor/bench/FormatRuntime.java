package dev.edgeslim.compressor.bench;

import dev.edgeslim.compressor.export.onnx.OnnxExportOptions;
import dev.edgeslim.compressor.export.onnx.OnnxExporter;
import dev.edgeslim.compressor.export.onnx.OnnxRunner;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.ExportedTflite;
import dev.edgeslim.compressor.export.tflite.TfliteExporter;
import dev.edgeslim.compressor.export.tflite.TfliteRunner;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.opencv.OpenCvDarknetModel;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model loaded in one benchmark format (darknet files, or an export to TFLite or ONNX): one {@link TimedModel}
 * serves evaluation (raw head maps for the shared letterbox/decode/NMS of {@code edgeslim eval}) and timing, and
 * the runtime knows the file it runs and that file's size.
 */
final class FormatRuntime implements AutoCloseable {
    private final TimedModel timed;
    private final Path file;
    private final long bytes;

    private FormatRuntime(TimedModel timed, Path file) throws IOException {
        this.timed = timed;
        this.file = file;
        this.bytes = Files.size(file);
    }

    /** TF Java on the darknet weights (BN folded, constant graph). */
    static FormatRuntime tensorFlow(NetworkSpec spec, WeightStore weights, Path weightsFile, int threads)
            throws IOException {
        return opened(TimedModel.tensorFlow(InferenceModel.create(spec, weights, threads)), weightsFile);
    }

    /** OpenCV DNN's darknet importer on {@code cfg} (at the benchmark's input size) and the weights file. */
    static FormatRuntime openCv(Path cfg, Path weightsFile, int threads) throws IOException {
        return opened(TimedModel.openCv(OpenCvDarknetModel.load(cfg, weightsFile, threads)), weightsFile);
    }

    /**
     * Exports the model with {@code options} to {@code file} (and its metadata JSON beside it), then loads that file
     * in the TFLite runtime with the XNNPACK delegate (signed int8 enabled, as on Android). Outputs are put in
     * [yolo] order by the metadata's output indices, int8 outputs dequantized, so evaluation sees exactly what the
     * other runtimes return.
     */
    static FormatRuntime tflite(NetworkSpec spec, WeightStore weights, ExportOptions options, Path file, String name,
                                int threads) throws IOException {
        ExportedTflite exported = TfliteExporter.export(spec, weights, options);
        exported.write(file);
        TfliteRunner runner = TfliteRunner.load(file, threads, TfliteRunner.Delegates.XNNPACK);
        return opened(TimedModel.tflite(name, runner, exported.metadata()), file);
    }

    /**
     * Exports the model to ONNX with {@code options} to {@code file}, then loads that file in ONNX Runtime (CPU,
     * all graph optimisations); the outputs are the [yolo] heads in order, as the other runtimes return them.
     */
    static FormatRuntime onnx(NetworkSpec spec, WeightStore weights, OnnxExportOptions options, Path file, String name,
                              int threads) throws IOException {
        OnnxExporter.export(spec, weights, options).write(file);
        return opened(TimedModel.onnx(name, OnnxRunner.load(file, threads)), file);
    }

    private static FormatRuntime opened(TimedModel timed, Path file) throws IOException {
        try {
            return new FormatRuntime(timed, file);
        } catch (IOException | RuntimeException e) {
            timed.close();
            throw e;
        }
    }

    TimedModel timed() {
        return timed;
    }

    Path file() {
        return file;
    }

    long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        timed.close();
    }
}
