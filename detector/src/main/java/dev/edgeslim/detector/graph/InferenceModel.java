package dev.edgeslim.detector.graph;

import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.postprocess.RawModel;
import dev.edgeslim.detector.weights.WeightStore;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

import java.util.List;

/**
 * A network ready for inference in TF Java: constant weights with batch norm folded ({@link DarknetGraph#constant}),
 * one graph and one session with the requested threads. {@link #run} returns the raw logits feeding each [yolo]
 * layer, flat NHWC, directly comparable with {@code OpenCvDarknetModel}. Thread-safe (runs are serialised).
 */
public final class InferenceModel implements RawModel, AutoCloseable {
    private final NetworkSpec spec;
    private final Graph graph;
    private final Session session;
    private final Placeholder<TFloat32> input;
    private final List<Operand<TFloat32>> heads;
    private final int[][] headShapes;
    private TFloat32 inputTensor;
    private int inputBatch;

    private InferenceModel(NetworkSpec spec, Graph graph, Session session, Placeholder<TFloat32> input,
                           List<Operand<TFloat32>> heads) {
        this.spec = spec;
        this.graph = graph;
        this.session = session;
        this.input = input;
        this.heads = heads;
        List<Integer> yolo = spec.yoloLayers();
        this.headShapes = new int[yolo.size()][];
        for (int h = 0; h < yolo.size(); h++) {
            Shape s = spec.shapeOf(spec.inputsOf(yolo.get(h)).get(0));
            headShapes[h] = new int[] {s.height(), s.width(), s.channels()};
        }
    }

    /**
     * Builds the constant-folded inference graph of {@code spec} with {@code weights} and opens a session using
     * {@code threads} intra-op threads and one inter-op thread ({@link SessionConfigs#inference}).
     */
    public static InferenceModel create(NetworkSpec spec, WeightStore weights, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        return create(spec, weights, SessionConfigs.inference(threads, 1));
    }

    /** As {@link #create(NetworkSpec, WeightStore, int)} with an explicit session configuration (for tuning). */
    public static InferenceModel create(NetworkSpec spec, WeightStore weights, ConfigProto config) {
        Graph graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> input = DarknetGraph.inputPlaceholder(tf, spec, "input");
            DarknetGraph net = DarknetGraph.constant(tf, "model", spec, weights, input);
            Session session = new Session(graph, config);
            return new InferenceModel(spec, graph, session, input, net.heads());
        } catch (RuntimeException | Error e) {
            graph.close();
            throw e;
        }
    }

    public NetworkSpec spec() {
        return spec;
    }

    /** Number of [yolo] heads. */
    public int heads() {
        return headShapes.length;
    }

    /** {height, width, channels} of head {@code head}'s logits for one image. */
    public int[] outputShape(int head) {
        return headShapes[head].clone();
    }

    /**
     * Runs a batch. {@code nhwc} holds {@code batch} images of the spec's input size, NHWC, RGB in [0,1]. Returns one
     * flat NHWC array ([batch][H][W][A·(5+C)]) per [yolo] layer, in {@code spec.yoloLayers()} order.
     */
    @Override
    public synchronized float[][] run(float[] nhwc, int batch) {
        Shape in = spec.inputShape();
        long expected = (long) batch * in.height() * in.width() * in.channels();
        if (batch < 1 || nhwc.length != expected) {
            throw new IllegalArgumentException("input has " + nhwc.length + " floats, expected " + expected + " for batch "
                    + batch + " of " + in);
        }
        if (inputTensor == null || inputBatch != batch) {
            if (inputTensor != null) {
                inputTensor.close();
            }
            inputTensor = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(batch, in.height(), in.width(),
                    in.channels()));
            inputBatch = batch;
        }
        inputTensor.asRawTensor().data().asFloats().write(nhwc);
        Session.Runner runner = session.runner().feed(input, inputTensor);
        heads.forEach(runner::fetch);
        float[][] out = new float[heads.size()][];
        try (Result result = runner.run()) {
            for (int h = 0; h < heads.size(); h++) {
                out[h] = FloatTensors.toArray((TFloat32) result.get(h));
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (inputTensor != null) {
            inputTensor.close();
            inputTensor = null;
        }
        session.close();
        graph.close();
    }
}
