package dev.edgeslim.detector.graph;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VARIABLES mode: towers, conversions to and from {@link WeightStore}, batch statistics and gradients. */
class DarknetVariablesTest {

    /** A graph with variables, a training and an inference tower over one input placeholder. */
    private static final class Towers implements AutoCloseable {
        final Graph graph = new Graph();
        final Ops tf = Ops.create(graph);
        final Placeholder<TFloat32> input;
        final DarknetVariables vars;
        final DarknetGraph train;
        final DarknetGraph infer;
        final Session session;

        Towers(NetworkSpec spec, WeightStore init, float momentum) {
            this(spec, init, momentum, SessionConfigs.inference(2, 1));
        }

        Towers(NetworkSpec spec, WeightStore init, float momentum, org.tensorflow.proto.ConfigProto config) {
            input = DarknetGraph.inputPlaceholder(tf, spec, "input");
            vars = DarknetVariables.create(tf, "student", spec, init);
            train = DarknetGraph.training(tf, "train", vars, input, momentum);
            infer = DarknetGraph.inference(tf, "infer", vars, input);
            session = new Session(graph, config);
            session.initialize();
        }

        float[][] fetch(List<Operand<TFloat32>> outputs, float[] x, int batch) {
            NetworkSpec spec = vars.spec();
            try (TFloat32 in = FloatTensors.of(x, batch, spec.net().height(), spec.net().width(),
                    spec.net().channels())) {
                Session.Runner r = session.runner().feed(input, in);
                outputs.forEach(r::fetch);
                float[][] out = new float[outputs.size()][];
                try (Result result = r.run()) {
                    for (int k = 0; k < out.length; k++) {
                        out[k] = FloatTensors.toArray((TFloat32) result.get(k));
                    }
                }
                return out;
            }
        }

        @Override
        public void close() {
            session.close();
            graph.close();
        }
    }

    @Test
    void inferenceTowerMatchesConstantGraph() {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg")).withInputSize(128, 128);
        WeightStore weights = WeightInitializer.forTesting(spec, 3);
        float[] x = TestArrays.uniform(2 * 128 * 128 * 3, 5);
        float[][] expected;
        try (InferenceModel model = InferenceModel.create(spec, weights, 2)) {
            expected = model.run(x, 2);
        }
        try (Towers t = new Towers(spec, weights, 0.99f)) {
            float[][] actual = t.fetch(t.infer.heads(), x, 2);
            for (int h = 0; h < expected.length; h++) {
                double err = TestArrays.maxRelativeError(actual[h], expected[h]);
                assertTrue(err <= 1e-4, "head " + h + ": max relative error " + err);
            }
        }
    }

    /**
     * Regression: with FusedBatchNorm in the inference tower, Grappler fused Conv2D + BN + Mish into a kernel TF's CPU
     * build lacks, and evaluating a Mish model during training failed. Trainer sessions use the plain thread config.
     */
    @Test
    void inferenceTowerOfAMishModelRunsInATrainerSession() {
        NetworkSpec spec = dev.edgeslim.detector.model.builtin.BuiltinModels.yolov4(3, 64, 64, 0.125, 0.33);
        WeightStore weights = WeightInitializer.forTesting(spec, 5);
        float[] x = TestArrays.uniform(64 * 64 * 3, 7);
        float[][] expected;
        try (InferenceModel model = InferenceModel.create(spec, weights, 2)) {
            expected = model.run(x, 1);
        }
        try (Towers t = new Towers(spec, weights, 0.99f, SessionConfigs.threads(2, 1))) {
            float[][] actual = t.fetch(t.infer.heads(), x, 1);
            for (int h = 0; h < expected.length; h++) {
                double err = TestArrays.maxRelativeError(actual[h], expected[h]);
                assertTrue(err <= 1e-4, "head " + h + ": max relative error " + err);
            }
        }
    }

    @Test
    void everyLayerTowerMatchesConstantGraphLayerByLayer() {
        NetworkSpec spec = TinyNets.everyLayer();
        WeightStore weights = WeightInitializer.forTesting(spec, 4);
        float[] x = TestArrays.uniform(2 * 16 * 16 * 3, 6);
        try (Towers t = new Towers(spec, weights, 0.99f)) {
            Ops tf = t.tf;
            DarknetGraph constant = DarknetGraph.constant(tf, "constant", spec, weights, t.input);
            float[][] a = t.fetch(t.infer.outputs(), x, 2);
            float[][] b = t.fetch(constant.outputs(), x, 2);
            for (int i = 0; i < spec.size(); i++) {
                assertEquals(2 * spec.shapeOf(i).elements(), a[i].length, "layer " + i + " size");
                double err = TestArrays.maxRelativeError(a[i], b[i]);
                assertTrue(err <= 1e-4, "layer " + i + ": max relative error " + err);
            }
            // the heads are the outputs of the layers feeding the [yolo] layers
            assertEquals(List.of(9, 15), spec.yoloLayers());
            assertEquals(constant.output(8), constant.heads().get(0));
            assertEquals(constant.output(14), constant.heads().get(1));
        }
    }

    @Test
    void weightStoreRoundTripsBitExactly() {
        NetworkSpec spec = TinyNets.everyLayer();
        WeightStore first = WeightInitializer.forTesting(spec, 1);
        WeightStore second = WeightInitializer.forTraining(spec, 2);
        try (Towers t = new Towers(spec, first, 0.99f)) {
            assertEquals(first, t.vars.fetch(t.session));
            t.vars.load(t.session, second);
            WeightStore back = t.vars.fetch(t.session);
            assertEquals(second, back);
            assertNotEquals(first, back);
            assertThrows(IllegalArgumentException.class, () -> t.vars.load(t.session,
                    WeightInitializer.forTesting(TinyNets.smooth(), 1)));
        }
    }

    @Test
    void variableListsNameEveryParameter() {
        NetworkSpec spec = TinyNets.everyLayer();
        try (Towers t = new Towers(spec, WeightInitializer.forTesting(spec, 1), 0.99f)) {
            long trainableParams = 0;
            for (ModelVariable v : t.vars.trainable()) {
                assertTrue(v.kind().trainable());
                trainableParams += v.size();
            }
            long moving = 0;
            for (ModelVariable v : t.vars.all()) {
                if (!v.kind().trainable()) {
                    moving += v.size();
                }
            }
            // NetworkSpec counts kernel + bias/β + γ: exactly the trainable parameters
            assertEquals(spec.totalParams(), trainableParams);
            Map<Integer, ModelVariable> gammas = t.vars.bnGammas();
            assertEquals(List.of(0, 1, 3, 13), List.copyOf(gammas.keySet()));
            assertEquals(2 * gammas.values().stream().mapToLong(ModelVariable::size).sum(), moving);
            assertEquals(ParamKind.BN_GAMMA, gammas.get(3).kind());
            assertTrue(t.vars.has(8, ParamKind.BIAS));
            assertFalse(t.vars.has(8, ParamKind.BN_GAMMA));
            assertThrows(IllegalArgumentException.class, () -> t.vars.get(2, ParamKind.KERNEL));
            assertEquals(2 * gammas.size(), t.train.movingAverageUpdates().size());
            assertTrue(t.infer.movingAverageUpdates().isEmpty());
            assertTrue(t.train.isTraining());
            assertEquals(ParameterMode.VARIABLES, t.infer.mode());
        }
    }

    @Test
    void trainingTowerNormalisesWithBatchStatisticsAndUpdatesMovingAverages() {
        NetworkSpec spec = TinyNets.everyLayer();
        WeightStore weights = WeightInitializer.forTesting(spec, 8);
        int batch = 2;
        float[] x = TestArrays.uniform(batch * 16 * 16 * 3, 9);
        float momentum = 0.9f;
        try (Towers t = new Towers(spec, weights, momentum)) {
            // layer 0 is conv 3x3/1 pad 1 + BN + linear: recompute it in Java
            ConvLayer c = spec.conv(0);
            ConvWeights w = weights.conv(0);
            int n = c.filters();
            double[][] conv = javaConv(x, batch, 16, 16, 3, w.weights(), n, 3, 1);
            int count = conv[0].length;
            double[] mean = new double[n];
            double[] var = new double[n];
            for (int o = 0; o < n; o++) {
                double s = 0;
                for (double v : conv[o]) {
                    s += v;
                }
                mean[o] = s / count;
                double q = 0;
                for (double v : conv[o]) {
                    q += (v - mean[o]) * (v - mean[o]);
                }
                var[o] = q / count; // normalisation uses the biased variance
            }
            float[] out = t.fetch(List.of(t.train.output(0)), x, batch)[0];
            double worst = 0;
            for (int o = 0; o < n; o++) {
                for (int p = 0; p < count; p++) {
                    double expected = w.scales()[o] * (conv[o][p] - mean[o]) / Math.sqrt(var[o] + 1e-5) + w.biases()[o];
                    // NHWC: position p = (b*16 + y)*16 + x, channel o
                    worst = Math.max(worst, Math.abs(out[p * n + o] - expected) / Math.max(1, Math.abs(expected)));
                }
            }
            assertTrue(worst < 1e-4, "batch-statistics BN differs from Java by " + worst);
            // the inference tower uses the moving statistics instead: a different result
            float[] inferred = t.fetch(List.of(t.infer.output(0)), x, batch)[0];
            assertTrue(TestArrays.maxRelativeError(inferred, out) > 1e-2);

            // one training step's moving-average updates
            try (TFloat32 in = FloatTensors.of(x, batch, 16, 16, 3)) {
                Session.Runner r = t.session.runner().feed(t.input, in);
                t.train.movingAverageUpdates().forEach(r::addTarget);
                r.run().close();
            }
            ConvWeights updated = t.vars.fetch(t.session).conv(0);
            for (int o = 0; o < n; o++) {
                double expMean = momentum * w.rollingMean()[o] + (1 - momentum) * mean[o];
                // TF feeds the moving average with the unbiased (n/(n-1)) batch variance, as darknet does
                double expVar = momentum * w.rollingVariance()[o] + (1 - momentum) * var[o] * count / (count - 1);
                assertEquals(expMean, updated.rollingMean()[o], 1e-5 * Math.max(1, Math.abs(expMean)), "mean " + o);
                assertEquals(expVar, updated.rollingVariance()[o], 1e-5 * Math.max(1, Math.abs(expVar)), "var " + o);
            }
            // trainable parameters are untouched by the update
            assertEquals(w.scales()[0], updated.scales()[0]);
            assertEquals(w.weights()[5], updated.weights()[5]);
        }
    }

    /** darknet convolution (zero pad {@code pad} on all sides, stride), OIHW weights; result [o][b*H*W + y*W + x]. */
    static double[][] javaConv(float[] nhwc, int batch, int h, int w, int c, float[] oihw, int filters, int size,
                               int stride) {
        int pad = size / 2;
        int oh = (h + 2 * pad - size) / stride + 1;
        int ow = (w + 2 * pad - size) / stride + 1;
        double[][] out = new double[filters][batch * oh * ow];
        for (int o = 0; o < filters; o++) {
            for (int b = 0; b < batch; b++) {
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double s = 0;
                        for (int i = 0; i < c; i++) {
                            for (int ky = 0; ky < size; ky++) {
                                for (int kx = 0; kx < size; kx++) {
                                    int iy = y * stride + ky - pad;
                                    int ix = xx * stride + kx - pad;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        s += oihw[((o * c + i) * size + ky) * size + kx]
                                                * nhwc[((b * h + iy) * w + ix) * c + i];
                                    }
                                }
                            }
                        }
                        out[o][(b * oh + y) * ow + xx] = s;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void gradientsOfEveryTrainableVariableExistAndAreFinite() {
        NetworkSpec spec = TinyNets.everyLayer();
        try (Towers t = new Towers(spec, WeightInitializer.forTesting(spec, 12), 0.99f)) {
            Ops tf = t.tf;
            List<Operand<TFloat32>> squares = new ArrayList<>();
            for (Operand<TFloat32> head : t.train.heads()) {
                squares.add(tf.sum(tf.math.mul(head, head), tf.constant(new int[] {0, 1, 2, 3})));
            }
            Operand<TFloat32> loss = tf.math.addN(squares);
            List<Operand<TFloat32>> values = t.vars.trainableValues();
            Gradients grads = tf.gradients(loss, values);
            List<Operand<TFloat32>> fetches = new ArrayList<>();
            for (int k = 0; k < values.size(); k++) {
                Output<?> dy = grads.dy(k);
                assertNotNull(dy, "no gradient for " + t.vars.trainable().get(k));
                @SuppressWarnings("unchecked")
                Operand<TFloat32> g = (Operand<TFloat32>) dy;
                fetches.add(g);
            }
            float[][] g = t.fetch(fetches, TestArrays.uniform(2 * 16 * 16 * 3, 13), 2);
            for (int k = 0; k < g.length; k++) {
                ModelVariable v = t.vars.trainable().get(k);
                assertEquals(v.size(), g[k].length, v.toString());
                double norm = 0;
                for (float f : g[k]) {
                    assertTrue(Float.isFinite(f), "non-finite gradient in " + v);
                    norm += f * f;
                }
                assertTrue(norm > 0, "zero gradient for " + v);
            }
        }
    }
}
