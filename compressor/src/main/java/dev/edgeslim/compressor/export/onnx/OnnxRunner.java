package dev.edgeslim.compressor.export.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.edgeslim.detector.io.BadInputException;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An exported ONNX model in ONNX Runtime (CPU execution provider, all graph optimisations, {@code threads}
 * intra-op threads), taking and returning what the other runtimes do: letterboxed NHWC RGB [0,1] images in, the
 * raw [yolo] head maps out (NHWC, batch-major, in output-name order head0, head1, …). The NHWC → NCHW
 * reordering of the input is part of every run, as in an app. A fixed-batch model runs a batch image by image.
 */
public final class OnnxRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String inputName;
    private final long[] inputShape;
    private final List<String> outputNames = new ArrayList<>();
    private final boolean dynamicBatch;

    private OnnxRunner(OrtSession session) throws OrtException {
        this.session = session;
        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("the model has " + inputs.size() + " inputs, expected one image");
        }
        NodeInfo in = inputs.values().iterator().next();
        inputName = in.getName();
        inputShape = ((TensorInfo) in.getInfo()).getShape();
        if (inputShape.length != 4 || inputShape[1] != 3) {
            throw new IllegalArgumentException("the model input is not an NCHW RGB image");
        }
        dynamicBatch = inputShape[0] < 0;
        outputNames.addAll(session.getOutputNames());
    }

    /** Loads {@code file}; a file ONNX Runtime refuses is a {@link BadInputException} naming it. */
    public static OnnxRunner load(Path file, int threads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = options(threads)) {
            return new OnnxRunner(env.createSession(file.toString(), options));
        } catch (OrtException | IllegalArgumentException e) {
            throw new BadInputException(file, "ONNX Runtime cannot load it: " + oneLine(e.getMessage()));
        }
    }

    /** Loads a model from its bytes (e.g. straight from {@link ExportedOnnx#model()}). */
    public static OnnxRunner load(byte[] model, int threads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = options(threads)) {
            return new OnnxRunner(env.createSession(model, options));
        } catch (OrtException | IllegalArgumentException e) {
            throw new BadInputException("onnx model", "ONNX Runtime cannot load it: " + oneLine(e.getMessage()));
        }
    }

    private static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        // ONNX Runtime's worker threads busy-wait for more work after each run by default; they would take the cores
        // from whatever runs next (the bench interleaves runtimes), so they sleep instead
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        o.addConfigEntry("session.inter_op.allow_spinning", "0");
        return o;
    }

    private static String oneLine(String message) {
        return message == null ? "unknown error" : message.replaceAll("\\s+", " ").trim();
    }

    public int height() {
        return (int) inputShape[2];
    }

    public int width() {
        return (int) inputShape[3];
    }

    public boolean dynamicBatch() {
        return dynamicBatch;
    }

    public List<String> outputNames() {
        return List.copyOf(outputNames);
    }

    /** Values per image of the input. */
    public int imageElements() {
        return 3 * height() * width();
    }

    /** One image. */
    public float[][] run(float[] nhwc) {
        return run(nhwc, 1);
    }

    /** {@code batch} NHWC images, batch-major; the heads come back NHWC, batch-major. */
    public float[][] run(float[] nhwc, int batch) {
        int per = imageElements();
        if (batch < 1 || nhwc.length != (long) per * batch) {
            throw new IllegalArgumentException("expected " + batch + " images of " + per + " values, got "
                    + nhwc.length);
        }
        if (dynamicBatch || batch == 1) {
            return runOnce(nhwc, batch);
        }
        float[][] out = new float[outputNames.size()][];
        for (int b = 0; b < batch; b++) {
            float[][] one = runOnce(java.util.Arrays.copyOfRange(nhwc, b * per, (b + 1) * per), 1);
            for (int h = 0; h < one.length; h++) {
                if (out[h] == null) {
                    out[h] = new float[one[h].length * batch];
                }
                System.arraycopy(one[h], 0, out[h], b * one[h].length, one[h].length);
            }
        }
        return out;
    }

    private float[][] runOnce(float[] nhwc, int batch) {
        int h = height();
        int w = width();
        int plane = h * w;
        float[] nchw = new float[nhwc.length];
        for (int b = 0; b < batch; b++) {
            int base = b * 3 * plane;
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    nchw[base + c * plane + p] = nhwc[base + p * 3 + c];
                }
            }
        }
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw), new long[] {batch, 3, h, w});
             OrtSession.Result result = session.run(Map.of(inputName, input))) {
            float[][] out = new float[outputNames.size()][];
            for (int k = 0; k < out.length; k++) {
                OnnxTensor t = (OnnxTensor) result.get(k);
                FloatBuffer b = t.getFloatBuffer();
                out[k] = new float[b.remaining()];
                b.get(out[k]);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run the model: " + oneLine(e.getMessage()), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
