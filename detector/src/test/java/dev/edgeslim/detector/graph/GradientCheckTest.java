package dev.edgeslim.detector.graph;

import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training graph's gradients agree with central finite differences of the same loss, L = ½ Σ head², for one
 * kernel entry of the first (stride-2, batch-normalised, mish) convolution and one BN γ of the grouped convolution,
 * and for depthwise and grouped kernels and γ of a network of depthwise convolutions.
 * Batch statistics make every activation depend on the whole batch, so this also checks the BN gradient.
 */
class GradientCheckTest {
    private static final int BATCH = 2;

    @Test
    void gradientsMatchFiniteDifferences() {
        // kernel entry (o=2, i=1, ky=0, kx=2) of layer 0; channels 4..7 of layers 0 and 1 are dropped by the
        // route, so their gradients are 0
        checkGradients(TinyNets.smooth(), 21, 0, new int[]{2, 1, 0, 2}, 1, 1);
    }

    /** Depthwise (DepthwiseConv2dNative) and grouped (one grouped Conv2D) convolutions train correctly. */
    @Test
    void depthwiseAndGroupedGradientsMatchFiniteDifferences() {
        NetworkSpec spec = TinyNets.depthwise(8);
        // the stride-2 depthwise kernel (o=5, its only input i=0, ky=2, kx=1), γ of the stride-1 depthwise conv
        checkGradients(spec, 23, 3, new int[]{5, 0, 2, 1}, 2, 6);
        // a kernel entry of the grouped 1x1 convolution (second group), γ of the depthwise conv on the image
        checkGradients(spec, 23, 4, new int[]{6, 3, 0, 0}, 0, 1);
    }

    /**
     * Analytic vs finite-difference gradient of one kernel entry {@code oihw} = (o, i, ky, kx) of
     * {@code kernelLayer} (i within the filter's group) and of BN γ {@code filter} of {@code gammaLayer}.
     */
    private static void checkGradients(NetworkSpec spec, long seed, int kernelLayer, int[] oihwIndex, int gammaLayer,
                                       int filter) {
        WeightStore weights = WeightInitializer.forTesting(spec, seed);
        int side = spec.inputShape().height();
        float[] x = TestArrays.uniform(BATCH * side * side * 3, seed + 1);
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> input = DarknetGraph.inputPlaceholder(tf, spec, "input");
            DarknetVariables vars = DarknetVariables.create(tf, "model", spec, weights);
            DarknetGraph train = DarknetGraph.training(tf, "train", vars, input, 0.99f);
            Operand<TFloat32> head = train.heads().get(0);
            Operand<TFloat32> loss = tf.math.mul(tf.constant(0.5f),
                    tf.sum(tf.math.mul(head, head), tf.constant(new int[] {0, 1, 2, 3})));
            ModelVariable kernel = vars.get(kernelLayer, ParamKind.KERNEL);
            ModelVariable gamma = vars.get(gammaLayer, ParamKind.BN_GAMMA);
            Gradients grads = tf.gradients(loss, List.of(kernel.value(), gamma.value()));
            try (Session session = new Session(graph, SessionConfigs.threads(2, 1));
                 TFloat32 in = FloatTensors.of(x, BATCH, side, side, 3)) {
                session.initialize();
                float[] gKernel;
                float[] gGamma;
                try (Result r = session.runner().feed(input, in).fetch(grads.dy(0)).fetch(grads.dy(1)).run()) {
                    gKernel = FloatTensors.toArray((TFloat32) r.get(0));
                    gGamma = FloatTensors.toArray((TFloat32) r.get(1));
                }
                // OIHW index for darknet, HWIO for TF (I = the filter's input channels: input / groups)
                ConvLayer c = spec.conv(kernelLayer);
                int perFilter = spec.inputChannelsOf(kernelLayer) / c.groups();
                int o = oihwIndex[0];
                int i = oihwIndex[1];
                int ky = oihwIndex[2];
                int kx = oihwIndex[3];
                int oihw = ((o * perFilter + i) * c.size() + ky) * c.size() + kx;
                int hwio = ((ky * c.size() + kx) * perFilter + i) * c.filters() + o;
                double analyticKernel = gKernel[hwio];
                double numericKernel = finiteDifference(session, vars, input, head, in, weights, kernelLayer,
                        false, oihw, 3e-3);
                check("kernel of layer " + kernelLayer, analyticKernel, numericKernel);

                double analyticGamma = gGamma[filter];
                double numericGamma = finiteDifference(session, vars, input, head, in, weights, gammaLayer, true,
                        filter, 1e-2);
                check("gamma of layer " + gammaLayer, analyticGamma, numericGamma);
            }
        }
    }

    private static void check(String what, double analytic, double numeric) {
        double rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric));
        System.out.printf("d loss / d %s: analytic %.6f, finite difference %.6f, relative error %.2e%n", what, analytic,
                numeric, rel);
        assertTrue(Math.abs(analytic) > 1e-3, what + " gradient is too small to test: " + analytic);
        assertTrue(rel < 1e-2, what + ": analytic " + analytic + " vs finite difference " + numeric);
    }

    /** (L(w + ε) − L(w − ε)) / 2ε for one parameter, by loading modified weights into the variables. */
    private static double finiteDifference(Session session, DarknetVariables vars, Placeholder<TFloat32> input,
                                           Operand<TFloat32> head, TFloat32 in, WeightStore weights, int layer,
                                           boolean gamma, int index, double eps) {
        double[] losses = new double[2];
        for (int side = 0; side < 2; side++) {
            ConvWeights w = weights.conv(layer).copy();
            float[] target = gamma ? w.scales() : w.weights();
            target[index] = (float) (target[index] + (side == 0 ? eps : -eps));
            vars.load(session, weights.with(layer, w));
            try (Result r = session.runner().feed(input, in).fetch(head).run()) {
                double l = 0;
                for (float v : FloatTensors.toArray((TFloat32) r.get(0))) {
                    l += 0.5 * v * (double) v;
                }
                losses[side] = l;
            }
        }
        vars.load(session, weights);
        return (losses[0] - losses[1]) / (2 * eps);
    }

}
