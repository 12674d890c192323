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
 * darknet's forward pass written out directly from its definitions (convolution on the zero-padded input with
 * OIHW weights and groups, batch norm y = γ(x − mean)/√(var + 1e-5) + β, max-pool whose padding never wins,
 * route slices, shortcut sums, nearest upsample × scale), in double precision and without any of the
 * exporter's, the graph builder's or the surgery's code: the one independent numeric reference of the tests.
 * Slow: for small test networks.
 */
public final class DarknetReference {
    private DarknetReference() {
    }

    /** A random NHWC image in [0,1). */
    public static float[] randomImage(NetworkSpec spec, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[(int) spec.inputShape().elements()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        return x;
    }

    /** The maps feeding each [yolo] layer, NHWC, in spec.yoloLayers() order. */
    public static float[][] heads(NetworkSpec spec, WeightStore weights, float[] image) {
        double[][] out = new double[spec.size()][];
        double[] img = new double[image.length];
        for (int i = 0; i < image.length; i++) {
            img[i] = image[i];
        }
        for (int i = 0; i < spec.size(); i++) {
            Layer layer = spec.layer(i);
            List<double[]> in = new ArrayList<>();
            for (int ref : spec.inputsOf(i)) {
                in.add(ref == NetworkSpec.IMAGE ? img : out[ref]);
            }
            Shape x = spec.inputShapesOf(i).get(0);
            Shape y = spec.shapeOf(i);
            if (layer instanceof ConvLayer c) {
                out[i] = conv(in.get(0), x, y, c, weights.conv(i));
            } else if (layer instanceof MaxPoolLayer m) {
                out[i] = maxPool(in.get(0), x, y, m);
            } else if (layer instanceof RouteLayer r) {
                out[i] = route(in, spec.inputShapesOf(i), y, r);
            } else if (layer instanceof ShortcutLayer s) {
                double[] sum = new double[in.get(0).length];
                for (double[] a : in) {
                    for (int k = 0; k < sum.length; k++) {
                        sum[k] += a[k];
                    }
                }
                for (int k = 0; k < sum.length; k++) {
                    sum[k] = s.activation().apply(sum[k]);
                }
                out[i] = sum;
            } else if (layer instanceof UpsampleLayer u) {
                out[i] = upsample(in.get(0), x, y, u);
            } else if (layer instanceof YoloLayer) {
                out[i] = in.get(0);
            }
        }
        List<Integer> heads = spec.yoloLayers();
        float[][] result = new float[heads.size()][];
        for (int k = 0; k < heads.size(); k++) {
            double[] h = out[heads.get(k)];
            result[k] = new float[h.length];
            for (int j = 0; j < h.length; j++) {
                result[k][j] = (float) h[j];
            }
        }
        return result;
    }

    private static double[] conv(double[] in, Shape x, Shape y, ConvLayer c, ConvWeights w) {
        int inPer = x.channels() / c.groups();
        int outPer = c.filters() / c.groups();
        int k = c.size();
        double[] out = new double[(int) y.elements()];
        for (int oy = 0; oy < y.height(); oy++) {
            for (int ox = 0; ox < y.width(); ox++) {
                for (int f = 0; f < c.filters(); f++) {
                    int g = f / outPer;
                    double s = 0;
                    for (int ci = 0; ci < inPer; ci++) {
                        for (int ky = 0; ky < k; ky++) {
                            int iy = oy * c.stride() - c.padding() + ky;
                            if (iy < 0 || iy >= x.height()) {
                                continue;
                            }
                            for (int kx = 0; kx < k; kx++) {
                                int ix = ox * c.stride() - c.padding() + kx;
                                if (ix < 0 || ix >= x.width()) {
                                    continue;
                                }
                                s += w.weights()[((f * inPer + ci) * k + ky) * k + kx]
                                        * in[(iy * x.width() + ix) * x.channels() + g * inPer + ci];
                            }
                        }
                    }
                    if (w.batchNormalized()) {
                        s = (s - w.rollingMean()[f]) / Math.sqrt(w.rollingVariance()[f] + 1e-5) * w.scales()[f];
                    }
                    s += w.biases()[f];
                    out[(oy * y.width() + ox) * y.channels() + f] = c.activation().apply(s);
                }
            }
        }
        return out;
    }

    private static double[] maxPool(double[] in, Shape x, Shape y, MaxPoolLayer m) {
        double[] out = new double[(int) y.elements()];
        for (int oy = 0; oy < y.height(); oy++) {
            for (int ox = 0; ox < y.width(); ox++) {
                for (int ch = 0; ch < y.channels(); ch++) {
                    double best = Double.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < m.size(); ky++) {
                        for (int kx = 0; kx < m.size(); kx++) {
                            int iy = oy * m.stride() - m.padBefore() + ky;
                            int ix = ox * m.stride() - m.padBefore() + kx;
                            if (iy >= 0 && iy < x.height() && ix >= 0 && ix < x.width()) {
                                best = Math.max(best, in[(iy * x.width() + ix) * x.channels() + ch]);
                            }
                        }
                    }
                    out[(oy * y.width() + ox) * y.channels() + ch] = best;
                }
            }
        }
        return out;
    }

    private static double[] route(List<double[]> in, List<Shape> shapes, Shape y, RouteLayer r) {
        double[] out = new double[(int) y.elements()];
        int offset = 0;
        for (int k = 0; k < in.size(); k++) {
            Shape s = shapes.get(k);
            int take = s.channels() / r.groups();
            int start = r.groupId() * take;
            for (int p = 0; p < y.height() * y.width(); p++) {
                for (int ch = 0; ch < take; ch++) {
                    out[p * y.channels() + offset + ch] = in.get(k)[p * s.channels() + start + ch];
                }
            }
            offset += take;
        }
        return out;
    }

    private static double[] upsample(double[] in, Shape x, Shape y, UpsampleLayer u) {
        double[] out = new double[(int) y.elements()];
        for (int oy = 0; oy < y.height(); oy++) {
            for (int ox = 0; ox < y.width(); ox++) {
                for (int ch = 0; ch < y.channels(); ch++) {
                    out[(oy * y.width() + ox) * y.channels() + ch] = u.scale()
                            * in[((oy / u.stride()) * x.width() + ox / u.stride()) * x.channels() + ch];
                }
            }
        }
        return out;
    }
}
