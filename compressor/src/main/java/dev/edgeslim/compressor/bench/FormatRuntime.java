package dev.edgeslim.compressor.bench;

import dev.edgeslim.compressor.export.onnx.OnnxExportOptions;
import dev.edgeslim.compressor.export.onnx.OnnxExporter;
import dev.edgeslim.compressor.export.onnx.OnnxRunner;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.ExportedTflite;
import dev.edgeslim.compressor.export.tflite.TfliteExporter;
import dev.edgeslim.compressor.export.tflite.TfliteMetadata;
import dev.edgeslim.compressor.export.tflite.TfliteRunner;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.inference.BatchInference;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.opencv.OpenCvDarknetModel;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model loaded in one benchmark format (darknet files, or an export to TFLite or ONNX): the same runtime serves evaluation ({@link #inference()}: raw head maps
 * for the shared letterbox/decode/NMS of {@code edgeslim eval}) and timing ({@link #timed()}), and knows the file
 * it runs and that file's size.
 */
final class FormatRuntime implements AutoCloseable {
    private final TimedModel timed;
    private final BatchInference inference;
    private final Path file;
    private final long bytes;

    private FormatRuntime(TimedModel timed, BatchInference inference, Path file) throws IOException {
        this.timed = timed;
        this.inference = inference;
        this.file = file;
        this.bytes = Files.size(file);
    }

    /** TF Java on the darknet weights (BN folded, constant graph). */
    static FormatRuntime tensorFlow(NetworkSpec spec, WeightStore weights, Path weightsFile, int threads)
            throws IOException {
        InferenceModel model = InferenceModel.create(spec, weights, threads);
        try {
            return new FormatRuntime(new TensorFlowTimedModel(model), model::run, weightsFile);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** OpenCV DNN's darknet importer on {@code cfg} (at the benchmark's input size) and the weights file. */
    static FormatRuntime openCv(Path cfg, Path weightsFile, int threads) throws IOException {
        OpenCvDarknetModel model = OpenCvDarknetModel.load(cfg, weightsFile, threads);
        try {
            return new FormatRuntime(new OpenCvTimedModel(model), model::run, weightsFile);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Exports the model with {@code options} to {@code file} (and its metadata JSON beside it), then loads that file
     * in the TFLite runtime with the XNNPACK delegate (signed int8 enabled, as on Android). Outputs are put in [yolo] order by the metadata's output
     * indices, int8 outputs dequantized, so evaluation sees exactly what the other runtimes return.
     */
    static FormatRuntime tflite(NetworkSpec spec, WeightStore weights, ExportOptions options, Path file, String name,
                                int threads) throws IOException {
        ExportedTflite exported = TfliteExporter.export(spec, weights, options);
        exported.write(file);
        TfliteRunner runner = TfliteRunner.load(file, threads, TfliteRunner.Delegates.XNNPACK);
        try {
            List<TfliteMetadata.Head> heads = exported.metadata().heads();
            int per = runner.input().elements();
            BatchInference inference = (nhwc, batch) -> {
                float[][] out = new float[heads.size()][];
                for (int b = 0; b < batch; b++) {
                    float[] image = batch == 1 ? nhwc : java.util.Arrays.copyOfRange(nhwc, b * per, (b + 1) * per);
                    float[][] outputs = runner.run(image);
                    for (int h = 0; h < heads.size(); h++) {
                        float[] o = outputs[heads.get(h).outputIndex()];
                        if (out[h] == null) {
                            out[h] = new float[o.length * batch];
                        }
                        System.arraycopy(o, 0, out[h], b * o.length, o.length);
                    }
                }
                return out;
            };
            return new FormatRuntime(new TfliteTimedModel(name, runner), inference, file);
        } catch (IOException | RuntimeException e) {
            runner.close();
            throw e;
        }
    }

    /**
     * Exports the model to ONNX with {@code options} to {@code file}, then loads that file in ONNX Runtime (CPU,
     * all graph optimisations); the outputs are the [yolo] heads in order, as the other runtimes return them.
     */
    static FormatRuntime onnx(NetworkSpec spec, WeightStore weights, OnnxExportOptions options, Path file, String name,
                              int threads) throws IOException {
        OnnxExporter.export(spec, weights, options).write(file);
        OnnxRunner runner = OnnxRunner.load(file, threads);
        try {
            return new FormatRuntime(new OnnxTimedModel(name, runner), runner::run, file);
        } catch (IOException | RuntimeException e) {
            runner.close();
            throw e;
        }
    }

    TimedModel timed() {
        return timed;
    }

    BatchInference inference() {
        return inference;
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
