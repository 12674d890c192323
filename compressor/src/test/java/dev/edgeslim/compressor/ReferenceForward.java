package dev.edgeslim.compressor;

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
import dev.edgeslim.detector.weights.WeightStore;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A direct, slow, plain-Java darknet inference pass (CHW, batch 1) written from darknet's layer definitions, used
 * as an independent numeric reference in tests. Returns the input of every [yolo] layer (the raw head logits).
 */
public final class ReferenceForward {
    private static final double BN_EPS = 1e-5;

    private ReferenceForward() {
    }

    /** A random CHW image in [0,1). */
    public static float[] randomImage(NetworkSpec spec, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[(int) spec.inputShape().elements()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        return x;
    }

    public static List<float[]> heads(NetworkSpec spec, WeightStore weights, float[] chw) {
        int n = spec.size();
        float[][] out = new float[n][];
        List<float[]> heads = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            Layer layer = spec.layer(l);
            List<Integer> ins = spec.inputsOf(l);
            float[] x = ins.get(0) < 0 ? chw : out[ins.get(0)];
            Shape in = spec.shapeOf(ins.get(0));
            Shape o = spec.shapeOf(l);
            if (layer instanceof ConvLayer c) {
                out[l] = conv(c, weights.conv(l), x, in, o);
            } else if (layer instanceof MaxPoolLayer m) {
                out[l] = maxpool(m, x, in, o);
            } else if (layer instanceof UpsampleLayer u) {
                float[] y = new float[(int) o.elements()];
                for (int ch = 0; ch < o.channels(); ch++) {
                    for (int yy = 0; yy < o.height(); yy++) {
                        for (int xx = 0; xx < o.width(); xx++) {
                            y[(ch * o.height() + yy) * o.width() + xx] = (float) (u.scale()
                                    * x[(ch * in.height() + yy / u.stride()) * in.width() + xx / u.stride()]);
                        }
                    }
                }
                out[l] = y;
            } else if (layer instanceof RouteLayer r) {
                float[] y = new float[(int) o.elements()];
                int plane = o.height() * o.width();
                int off = 0;
                for (int src : ins) {
                    int c = spec.shapeOf(src).channels() / r.groups();
                    System.arraycopy(out[src], r.groupId() * c * plane, y, off * plane, c * plane);
                    off += c;
                }
                out[l] = y;
            } else if (layer instanceof ShortcutLayer s) {
                float[] y = new float[(int) o.elements()];
                for (int i = 0; i < y.length; i++) {
                    double sum = 0;
                    for (int src : ins) {
                        sum += out[src][i];
                    }
                    y[i] = (float) s.activation().apply(sum);
                }
                out[l] = y;
            } else if (layer instanceof YoloLayer) {
                out[l] = x;
                heads.add(x);
            }
        }
        return heads;
    }

    private static float[] conv(ConvLayer c, ConvWeights w, float[] x, Shape in, Shape o) {
        int k = c.size();
        int cinPerGroup = in.channels() / c.groups();
        int outPerGroup = c.filters() / c.groups();
        float[] y = new float[(int) o.elements()];
        double[] acc = new double[o.height() * o.width()];
        for (int f = 0; f < c.filters(); f++) {
            java.util.Arrays.fill(acc, 0);
            int g = f / outPerGroup;
            for (int j = 0; j < cinPerGroup; j++) {
                int ch = g * cinPerGroup + j;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        float wv = w.weights()[((f * cinPerGroup + j) * k + ky) * k + kx];
                        if (wv == 0) {
                            continue;
                        }
                        for (int oy = 0; oy < o.height(); oy++) {
                            int iy = oy * c.stride() - c.padding() + ky;
                            if (iy < 0 || iy >= in.height()) {
                                continue;
                            }
                            int rowIn = (ch * in.height() + iy) * in.width();
                            int rowOut = oy * o.width();
                            for (int ox = 0; ox < o.width(); ox++) {
                                int ix = ox * c.stride() - c.padding() + kx;
                                if (ix >= 0 && ix < in.width()) {
                                    acc[rowOut + ox] += wv * x[rowIn + ix];
                                }
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < acc.length; i++) {
                double v = acc[i];
                if (w.batchNormalized()) {
                    v = (v - w.rollingMean()[f]) / Math.sqrt(w.rollingVariance()[f] + BN_EPS) * w.scales()[f]
                            + w.biases()[f];
                } else {
                    v += w.biases()[f];
                }
                y[f * acc.length + i] = (float) c.activation().apply(v);
            }
        }
        return y;
    }

    private static float[] maxpool(MaxPoolLayer m, float[] x, Shape in, Shape o) {
        float[] y = new float[(int) o.elements()];
        for (int ch = 0; ch < o.channels(); ch++) {
            for (int oy = 0; oy < o.height(); oy++) {
                for (int ox = 0; ox < o.width(); ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < m.size(); ky++) {
                        for (int kx = 0; kx < m.size(); kx++) {
                            int iy = oy * m.stride() - m.padBefore() + ky;
                            int ix = ox * m.stride() - m.padBefore() + kx;
                            if (iy >= 0 && iy < in.height() && ix >= 0 && ix < in.width()) {
                                best = Math.max(best, x[(ch * in.height() + iy) * in.width() + ix]);
                            }
                        }
                    }
                    y[(ch * o.height() + oy) * o.width() + ox] = best;
                }
            }
        }
        return y;
    }
}
