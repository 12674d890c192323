package dev.edgeslim.compressor.bench;

import dev.edgeslim.compressor.export.onnx.OnnxRunner;
import dev.edgeslim.compressor.export.tflite.TfliteMetadata;
import dev.edgeslim.compressor.export.tflite.TfliteRunner;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.opencv.OpenCvDarknetModel;
import dev.edgeslim.detector.postprocess.RawModel;

import java.util.Arrays;
import java.util.List;

/**
 * A runtime as benchmarks see it: a {@link RawModel} (the same one evaluation decodes, so what is timed is what is
 * scored) with a name for reports, and the resource that closing it releases.
 *
 * @param name     short runtime name for reports, e.g. "tensorflow-java", "tflite-int8"
 * @param model    the forward pass; outputs are fetched (copied out) as a caller would
 * @param resource what {@link #close} closes (the session, interpreter or network)
 */
public record TimedModel(String name, RawModel model, AutoCloseable resource) implements RawModel, AutoCloseable {
    /** OpenCV DNN's name in reports: the reference the project compares against. */
    public static final String OPENCV = "opencv-dnn";

    /** TF Java on the constant inference graph (BN folded). */
    public static TimedModel tensorFlow(InferenceModel model) {
        return new TimedModel("tensorflow-java", model, model);
    }

    /** OpenCV DNN's darknet importer. */
    public static TimedModel openCv(OpenCvDarknetModel model) {
        return new TimedModel(OPENCV, model, model);
    }

    /** An exported ONNX model in ONNX Runtime; NHWC images are reordered to the model's NCHW on every run. */
    public static TimedModel onnx(String name, OnnxRunner runner) {
        return new TimedModel(name, runner::run, runner);
    }

    /**
     * An exported .tflite model (batch 1, so a batch runs image by image; int8 models take float input, quantized
     * on the way in and dequantized on the way out, as an app would). The heads come back in [yolo] order, each
     * taken from the output the export's {@code metadata} names for it.
     */
    public static TimedModel tflite(String name, TfliteRunner runner, TfliteMetadata metadata) {
        List<Integer> outputIndices = metadata.heads().stream().map(TfliteMetadata.Head::outputIndex).toList();
        int per = runner.input().elements();
        RawModel model = (nhwc, batch) -> {
            if (batch < 1 || nhwc.length != (long) per * batch) {
                throw new IllegalArgumentException("expected " + batch + " images of " + per + " values");
            }
            float[][] out = new float[outputIndices.size()][];
            for (int b = 0; b < batch; b++) {
                float[][] outputs = runner.run(batch == 1 ? nhwc : Arrays.copyOfRange(nhwc, b * per, (b + 1) * per));
                for (int h = 0; h < out.length; h++) {
                    float[] o = outputs[outputIndices.get(h)];
                    if (batch == 1) {
                        out[h] = o;
                        continue;
                    }
                    if (out[h] == null) {
                        out[h] = new float[o.length * batch];
                    }
                    System.arraycopy(o, 0, out[h], b * o.length, o.length);
                }
            }
            return out;
        };
        return new TimedModel(name, model, runner);
    }

    @Override
    public float[][] run(float[] nhwc, int batch) {
        return model.run(nhwc, batch);
    }

    @Override
    public void close() {
        try {
            resource.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing " + name + ": " + e.getMessage(), e);
        }
    }
}
