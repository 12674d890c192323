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
 * kernel entry of the first (stride-2, batch-normalised, mish) convolution and one BN γ of the grouped convolution.
 * Batch statistics make every activation depend on the whole batch, so this also checks the BN gradient.
 */
class GradientCheckTest {
    private static final int BATCH = 2;

    @Test
    void gradientsMatchFiniteDifferences() {
        NetworkSpec spec = TinyNets.smooth();
        WeightStore weights = WeightInitializer.forTesting(spec, 21);
        float[] x = TestArrays.uniform(BATCH * 8 * 8 * 3, 22);
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> input = DarknetGraph.inputPlaceholder(tf, spec, "input");
            DarknetVariables vars = DarknetVariables.create(tf, "model", spec, weights);
            DarknetGraph train = DarknetGraph.training(tf, "train", vars, input, 0.99f);
            Operand<TFloat32> head = train.heads().get(0);
            Operand<TFloat32> loss = tf.math.mul(tf.constant(0.5f),
                    tf.sum(tf.math.mul(head, head), tf.constant(new int[] {0, 1, 2, 3})));
            ModelVariable kernel = vars.get(0, ParamKind.KERNEL);
            ModelVariable gamma = vars.get(1, ParamKind.BN_GAMMA);
            Gradients grads = tf.gradients(loss, List.of(kernel.value(), gamma.value()));
            try (Session session = new Session(graph, SessionConfigs.threads(2, 1));
                 TFloat32 in = FloatTensors.of(x, BATCH, 8, 8, 3)) {
                session.initialize();
                float[] gKernel;
                float[] gGamma;
                try (Result r = session.runner().feed(input, in).fetch(grads.dy(0)).fetch(grads.dy(1)).run()) {
                    gKernel = FloatTensors.toArray((TFloat32) r.get(0));
                    gGamma = FloatTensors.toArray((TFloat32) r.get(1));
                }
                // kernel entry (o=2, i=1, ky=0, kx=2) of layer 0: OIHW index for darknet, HWIO for TF
                ConvLayer c0 = spec.conv(0);
                // (channels 4..7 of layers 0 and 1 are dropped by the route, so their gradients are 0)
                int o = 2;
                int i = 1;
                int ky = 0;
                int kx = 2;
                int oihw = ((o * 3 + i) * c0.size() + ky) * c0.size() + kx;
                int hwio = ((ky * c0.size() + kx) * 3 + i) * c0.filters() + o;
                double analyticKernel = gKernel[hwio];
                double numericKernel = finiteDifference(session, vars, input, head, in, weights, 0, false, oihw, 3e-3);
                check("kernel", analyticKernel, numericKernel);

                int filter = 1;
                double analyticGamma = gGamma[filter];
                double numericGamma = finiteDifference(session, vars, input, head, in, weights, 1, true, filter, 1e-2);
                check("gamma", analyticGamma, numericGamma);
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
