package dev.edgeslim.detector.weights;

import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.YoloLayer;

import java.util.SplittableRandom;
import java.util.TreeMap;

/** Seeded random weights: the same seed gives the same weights on every machine. */
public final class WeightInitializer {
    private WeightInitializer() {
    }

    /**
     * Initial weights for training from scratch: He-uniform kernels (as darknet), BN γ=1, β=0, running
     * statistics 0/1; the convolutions feeding a [yolo] head start with a small kernel and an objectness bias
     * of log(1/99) and class biases of log(0.6/(C−0.99)) (the prior of YOLOv5), so early training is not swamped
     * by false positives and by pushing twenty class probabilities down from 0.5.
     */
    public static WeightStore forTraining(NetworkSpec spec, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        TreeMap<Integer, ConvWeights> convs = new TreeMap<>();
        for (int i : spec.convLayers()) {
            ConvLayer c = spec.conv(i);
            int n = c.filters();
            int fanIn = fanIn(spec, i);
            boolean head = i + 1 < spec.size() && spec.layer(i + 1) instanceof YoloLayer;
            float[] w = kernel(rng, spec, i, head ? 0.01 * Math.sqrt(3.0 / fanIn) : Math.sqrt(6.0 / fanIn));
            float[] bias = new float[n];
            if (head) {
                YoloLayer y = (YoloLayer) spec.layer(i + 1);
                int per = y.valuesPerAnchor();
                float classPrior = (float) Math.log(0.6 / Math.max(0.01, y.classes() - 0.99));
                for (int a = 0; a < y.mask().size(); a++) {
                    bias[a * per + 4] = (float) Math.log(1.0 / 99.0);
                    for (int k = 0; k < y.classes(); k++) {
                        bias[a * per + 5 + k] = classPrior;
                    }
                }
            }
            if (c.batchNormalize()) {
                float[] ones = new float[n];
                java.util.Arrays.fill(ones, 1f);
                convs.put(i, new ConvWeights(bias, ones.clone(), new float[n], ones, w));
            } else {
                convs.put(i, new ConvWeights(bias, null, null, null, w));
            }
        }
        return new WeightStore(DarknetHeader.CURRENT, convs);
    }

    /**
     * Random weights whose activations stay O(1) through a deep network in inference mode, with non-trivial
     * BN statistics (γ, β, mean, variance all random) so tests exercise BN folding: kernels ~ U with variance
     * 1/fan-in, γ in [0.5,1.5], β in [-0.2,0.2], mean in [-0.1,0.1], variance in [0.5,1.5].
     */
    public static WeightStore forTesting(NetworkSpec spec, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        TreeMap<Integer, ConvWeights> convs = new TreeMap<>();
        for (int i : spec.convLayers()) {
            ConvLayer c = spec.conv(i);
            int n = c.filters();
            float[] w = kernel(rng, spec, i, Math.sqrt(3.0 / fanIn(spec, i)));
            float[] bias = uniform(rng, n, -0.2, 0.2);
            if (c.batchNormalize()) {
                convs.put(i, new ConvWeights(bias, uniform(rng, n, 0.5, 1.5), uniform(rng, n, -0.1, 0.1),
                        uniform(rng, n, 0.5, 1.5), w));
            } else {
                convs.put(i, new ConvWeights(bias, null, null, null, w));
            }
        }
        return new WeightStore(DarknetHeader.CURRENT, convs);
    }

    private static int fanIn(NetworkSpec spec, int conv) {
        ConvLayer c = spec.conv(conv);
        return spec.inputChannelsOf(conv) / c.groups() * c.size() * c.size();
    }

    /** The kernel of convolution {@code conv}, uniform in [−bound, bound]. */
    private static float[] kernel(SplittableRandom rng, NetworkSpec spec, int conv, double bound) {
        float[] w = new float[Math.toIntExact(spec.conv(conv).weightCount(spec.inputChannelsOf(conv)))];
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return w;
    }

    private static float[] uniform(SplittableRandom rng, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int k = 0; k < n; k++) {
            a[k] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return a;
    }
}
