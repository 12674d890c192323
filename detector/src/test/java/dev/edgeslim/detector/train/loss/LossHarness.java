package dev.edgeslim.detector.train.loss;

import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

import java.util.ArrayList;
import java.util.List;

/** A real TF graph: logits placeholders -> YoloLoss, plus d(total)/d(logits) via tf.gradients. */
final class LossHarness<T extends TFloating> implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Session session;
    private final List<HeadDescription> heads;
    private final Class<T> type;
    private final List<Placeholder<T>> logits = new ArrayList<>();
    private final YoloLoss.Components<T> loss;
    private final Gradients gradients;

    LossHarness(List<HeadDescription> heads, LossOptions options, Class<T> type) {
        this.heads = heads;
        this.type = type;
        Ops tf = Ops.create(graph);
        for (HeadDescription h : heads) {
            logits.add(tf.placeholder(type, Placeholder.shape(Shape.of(-1, h.gridHeight(), h.gridWidth(), h.channels()))));
        }
        loss = YoloLoss.build(tf, logits, heads, options, type);
        gradients = tf.gradients(loss.total(), logits);
        session = new Session(graph);
    }

    /** {total, box, obj, cls}. */
    double[] losses(double[][] values, YoloTargets.Batch targets) {
        Session.Runner runner = session.runner();
        List<Tensor> fed = feedLogits(runner, values, targets.batchSize());
        try (YoloLoss.TargetFeed feed = loss.feed(runner, targets);
             Result r = runner.fetch(loss.total()).fetch(loss.box()).fetch(loss.obj()).fetch(loss.cls()).run()) {
            double[] out = new double[4];
            for (int i = 0; i < 4; i++) {
                out[i] = scalar(r.get(i));
            }
            return out;
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    double[][] gradients(double[][] values, YoloTargets.Batch targets) {
        Session.Runner runner = session.runner();
        List<Tensor> fed = feedLogits(runner, values, targets.batchSize());
        for (int h = 0; h < heads.size(); h++) {
            runner.fetch(gradients.dy(h));
        }
        try (YoloLoss.TargetFeed feed = loss.feed(runner, targets); Result r = runner.run()) {
            double[][] out = new double[heads.size()][];
            for (int h = 0; h < heads.size(); h++) {
                out[h] = values(r.get(h), values[h].length);
            }
            return out;
        } finally {
            fed.forEach(Tensor::close);
        }
    }

    static double[][] widen(float[][] values) {
        double[][] out = new double[values.length][];
        for (int h = 0; h < values.length; h++) {
            out[h] = new double[values[h].length];
            for (int i = 0; i < values[h].length; i++) {
                out[h][i] = values[h][i];
            }
        }
        return out;
    }

    private List<Tensor> feedLogits(Session.Runner runner, double[][] values, int batch) {
        List<Tensor> fed = new ArrayList<>();
        for (int h = 0; h < heads.size(); h++) {
            HeadDescription head = heads.get(h);
            Shape shape = Shape.of(batch, head.gridHeight(), head.gridWidth(), head.channels());
            Tensor t;
            if (type == TFloat32.class) {
                float[] f = new float[values[h].length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) values[h][i];
                }
                t = TFloat32.tensorOf(shape, DataBuffers.of(f, true, false));
            } else {
                t = TFloat64.tensorOf(shape, DataBuffers.of(values[h], true, false));
            }
            fed.add(t);
            runner.feed(logits.get(h), t);
        }
        return fed;
    }

    private static double scalar(Tensor t) {
        return t instanceof TFloat32 f ? f.getFloat() : ((TFloat64) t).getDouble();
    }

    private static double[] values(Tensor t, int n) {
        double[] out = new double[n];
        if (t instanceof TFloat32 f) {
            float[] tmp = new float[n];
            f.copyTo(DataBuffers.of(tmp, false, false));
            for (int i = 0; i < n; i++) {
                out[i] = tmp[i];
            }
        } else {
            ((TFloat64) t).copyTo(DataBuffers.of(out, false, false));
        }
        return out;
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
