package dev.edgeslim.detector.graph;

import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every layer of the constant graph recomputed in plain Java from darknet's definitions, given the graph's own
 * outputs for the layer's inputs: convolutions (stride 2 with top/left padding, groups, unfolded BN, each
 * activation), route slices and concatenation, shortcut, both max-pool paths, upsample with scale, [yolo].
 */
class LayerSemanticsTest {
    private static final int BATCH = 2;

    @Test
    void everyLayerMatchesDarknetDefinition() {
        NetworkSpec spec = TinyNets.everyLayer();
        WeightStore weights = WeightInitializer.forTesting(spec, 31);
        float[] x = TestArrays.uniform(BATCH * 16 * 16 * 3, 32);
        float[][] outs = new float[spec.size()][];
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> input = DarknetGraph.inputPlaceholder(tf, spec, "input");
            DarknetGraph net = DarknetGraph.constant(tf, "m", spec, weights, input);
            try (Session session = new Session(graph, SessionConfigs.inference(2, 1));
                 TFloat32 in = FloatTensors.of(x, BATCH, 16, 16, 3)) {
                Session.Runner r = session.runner().feed(input, in);
                net.outputs().forEach(r::fetch);
                try (Result result = r.run()) {
                    for (int i = 0; i < spec.size(); i++) {
                        outs[i] = FloatTensors.toArray((TFloat32) result.get(i));
                    }
                }
            }
        }
        for (int i = 0; i < spec.size(); i++) {
            List<Integer> refs = spec.inputsOf(i);
            float[][] ins = new float[refs.size()][];
            for (int k = 0; k < refs.size(); k++) {
                ins[k] = refs.get(k) == NetworkSpec.IMAGE ? x : outs[refs.get(k)];
            }
            double[] expected = reference(spec, i, ins, weights);
            assertEquals(expected.length, outs[i].length, "layer " + i + " size");
            double worst = 0;
            for (int j = 0; j < expected.length; j++) {
                worst = Math.max(worst, Math.abs(outs[i][j] - expected[j]) / Math.max(1, Math.abs(expected[j])));
            }
            assertTrue(worst < 1e-4, "layer " + i + " (" + spec.layer(i).section() + "): relative error " + worst);
        }
    }

    private static double[] reference(NetworkSpec spec, int i, float[][] ins, WeightStore weights) {
        Layer layer = spec.layer(i);
        Shape out = spec.shapeOf(i);
        List<Shape> inShapes = spec.inputShapesOf(i);
        if (layer instanceof ConvLayer c) {
            return conv(ins[0], inShapes.get(0), out, c, weights.conv(i));
        } else if (layer instanceof RouteLayer r) {
            double[] y = new double[BATCH * (int) out.elements()];
            List<Integer> offsets = r.outputOffsets(inShapes);
            for (int k = 0; k < ins.length; k++) {
                Shape s = inShapes.get(k);
                int take = s.channels() / r.groups();
                int start = r.sliceStart(s);
                for (int p = 0; p < BATCH * out.height() * out.width(); p++) {
                    for (int ch = 0; ch < take; ch++) {
                        y[p * out.channels() + offsets.get(k) + ch] = ins[k][p * s.channels() + start + ch];
                    }
                }
            }
            return y;
        } else if (layer instanceof ShortcutLayer s) {
            double[] y = new double[ins[0].length];
            for (int j = 0; j < y.length; j++) {
                double sum = 0;
                for (float[] in : ins) {
                    sum += in[j];
                }
                y[j] = s.activation().apply(sum);
            }
            return y;
        } else if (layer instanceof MaxPoolLayer m) {
            return maxPool(ins[0], inShapes.get(0), out, m);
        } else if (layer instanceof UpsampleLayer u) {
            Shape s = inShapes.get(0);
            double[] y = new double[BATCH * (int) out.elements()];
            for (int b = 0; b < BATCH; b++) {
                for (int yy = 0; yy < out.height(); yy++) {
                    for (int xx = 0; xx < out.width(); xx++) {
                        for (int ch = 0; ch < out.channels(); ch++) {
                            int src = ((b * s.height() + yy / u.stride()) * s.width() + xx / u.stride()) * s.channels() + ch;
                            y[((b * out.height() + yy) * out.width() + xx) * out.channels() + ch] = u.scale() * ins[0][src];
                        }
                    }
                }
            }
            return y;
        } else if (layer instanceof YoloLayer) {
            double[] y = new double[ins[0].length];
            for (int j = 0; j < y.length; j++) {
                y[j] = ins[0][j];
            }
            return y;
        }
        throw new AssertionError("unexpected layer " + layer);
    }

    /** darknet: pad {@code padding} zeros on all sides, convolve per group, BN from the rolling statistics. */
    private static double[] conv(float[] x, Shape in, Shape out, ConvLayer c, ConvWeights w) {
        int cg = in.channels() / c.groups();
        int fg = c.filters() / c.groups();
        int k = c.size();
        double[] y = new double[BATCH * (int) out.elements()];
        for (int b = 0; b < BATCH; b++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    for (int o = 0; o < c.filters(); o++) {
                        int g = o / fg;
                        double s = 0;
                        for (int i = 0; i < cg; i++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy * c.stride() + ky - c.padding();
                                    int ix = ox * c.stride() + kx - c.padding();
                                    if (iy >= 0 && iy < in.height() && ix >= 0 && ix < in.width()) {
                                        s += w.weights()[((o * cg + i) * k + ky) * k + kx]
                                                * x[((b * in.height() + iy) * in.width() + ix) * in.channels() + g * cg + i];
                                    }
                                }
                            }
                        }
                        if (w.batchNormalized()) {
                            s = w.scales()[o] * (s - w.rollingMean()[o]) / Math.sqrt(w.rollingVariance()[o] + 1e-5)
                                    + w.biases()[o];
                        } else {
                            s += w.biases()[o];
                        }
                        y[((b * out.height() + oy) * out.width() + ox) * out.channels() + o] = c.activation().apply(s);
                    }
                }
            }
        }
        return y;
    }

    /** darknet: window starts at −padding/2; cells outside the input never win. */
    private static double[] maxPool(float[] x, Shape in, Shape out, MaxPoolLayer m) {
        double[] y = new double[BATCH * (int) out.elements()];
        for (int b = 0; b < BATCH; b++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    for (int ch = 0; ch < out.channels(); ch++) {
                        double best = Double.NEGATIVE_INFINITY;
                        for (int ky = 0; ky < m.size(); ky++) {
                            for (int kx = 0; kx < m.size(); kx++) {
                                int iy = oy * m.stride() + ky - m.padBefore();
                                int ix = ox * m.stride() + kx - m.padBefore();
                                if (iy >= 0 && iy < in.height() && ix >= 0 && ix < in.width()) {
                                    best = Math.max(best, x[((b * in.height() + iy) * in.width() + ix) * in.channels() + ch]);
                                }
                            }
                        }
                        y[((b * out.height() + oy) * out.width() + ox) * out.channels() + ch] = best;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void activationsCoverEveryKind() {
        NetworkSpec spec = TinyNets.everyLayer();
        java.util.Set<Activation> seen = java.util.EnumSet.noneOf(Activation.class);
        for (Layer l : spec.layers()) {
            if (l instanceof ConvLayer c) {
                seen.add(c.activation());
            } else if (l instanceof ShortcutLayer s) {
                seen.add(s.activation());
            }
        }
        assertEquals(java.util.EnumSet.allOf(Activation.class), seen);
    }
}
