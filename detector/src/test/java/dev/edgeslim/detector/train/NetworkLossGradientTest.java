package dev.edgeslim.detector.train;

import dev.edgeslim.detector.graph.DarknetGraph;
import dev.edgeslim.detector.graph.DarknetVariables;
import dev.edgeslim.detector.graph.ModelVariable;
import dev.edgeslim.detector.graph.ParamKind;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.loss.HeadDescription;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.train.loss.YoloLoss;
import dev.edgeslim.detector.train.loss.YoloTargets;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training gradient is right end to end: d(YOLO loss)/d(kernel entry) and d/d(γ) through a tiny network with BN
 * in training mode on a tiny batch, from tf.gradients, against central finite differences of the same graph.
 */
class NetworkLossGradientTest {

    @Test
    void lossGradientThroughTheNetworkMatchesFiniteDifferences() {
        // ignore_thresh=1: the ignore mask is a (stop-gradient) step function; differentiating across one of its
        // steps is meaningless, and the loss tests check it on its own
        NetworkSpec spec = dev.edgeslim.detector.cfg.CfgParser.parse(
                TrainerTest.TINY.replace("iou_thresh=0.213", "iou_thresh=0.213\nignore_thresh=1.0"), "tiny.cfg");
        WeightStore weights = WeightInitializer.forTesting(spec, 21);
        float[] images = new float[2 * 64 * 64 * 3];
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) rng.nextDouble();
        }
        List<List<YoloTargets.Box>> boxes = List.of(
                List.of(new YoloTargets.Box(0.3, 0.4, 0.25, 0.3, 2), new YoloTargets.Box(0.7, 0.6, 0.5, 0.4, 7)),
                List.of(new YoloTargets.Box(0.5, 0.5, 0.2, 0.2, 11)));
        int convLayer = 1;
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> input = DarknetGraph.inputPlaceholder(tf, spec, "images");
            DarknetVariables vars = DarknetVariables.create(tf, "net", spec, weights);
            DarknetGraph tower = DarknetGraph.training(tf, "train", vars, input, 0.9f);
            List<HeadDescription> heads = HeadDescription.of(spec);
            YoloLoss.Components<TFloat32> loss = YoloLoss.build(tf, tower.heads(), heads, LossOptions.defaults());
            ModelVariable kernel = vars.get(convLayer, ParamKind.KERNEL);
            ModelVariable gamma = vars.get(convLayer, ParamKind.BN_GAMMA);
            var grads = tf.gradients(loss.total(), List.of(kernel.value(), gamma.value()));
            YoloTargets.Batch targets = new YoloTargets(heads, YoloTargets.Options.defaults()).build(boxes);
            try (Session s = new Session(g)) {
                s.initialize();
                float[] gKernelHwio = fetch(s, input, images, loss, targets, grads.dy(0));
                float[] gGamma = fetch(s, input, images, loss, targets, grads.dy(1));
                int filters = spec.conv(convLayer).filters();
                // the largest-gradient kernel entry (HWIO index → darknet OIHW index) and γ channel
                int k = argmaxAbs(gKernelHwio);
                int o = k % filters;
                int rest = k / filters;
                int in = spec.inputChannelsOf(convLayer);
                int ci = rest % in;
                int kxy = rest / in; // ky * size + kx
                int size = spec.conv(convLayer).size();
                int oihw = ((o * in + ci) * size + kxy / size) * size + kxy % size;
                double fdKernel = finiteDifference(g, vars, input, images, loss, targets, weights, convLayer, true, oihw);
                int c = argmaxAbs(gGamma);
                double fdGamma = finiteDifference(g, vars, input, images, loss, targets, weights, convLayer, false, c);
                System.out.printf("kernel: analytic %.6f, finite difference %.6f; gamma: analytic %.6f, fd %.6f%n",
                        gKernelHwio[k], fdKernel, gGamma[c], fdGamma);
                assertTrue(Math.abs(gKernelHwio[k]) > 1e-2 && Math.abs(gGamma[c]) > 1e-2, "gradients are not trivial");
                assertEquals(gKernelHwio[k], fdKernel, 0.03 * Math.abs(gKernelHwio[k]));
                assertEquals(gGamma[c], fdGamma, 0.03 * Math.abs(gGamma[c]));
            }
        }
    }

    /** Central difference; each side in a fresh session initialised with the perturbed weights. */
    private static double finiteDifference(Graph g, DarknetVariables vars, Placeholder<TFloat32> input, float[] images,
                                           YoloLoss.Components<TFloat32> loss, YoloTargets.Batch targets,
                                           WeightStore weights, int layer, boolean kernel, int index) {
        double eps = 1e-3; // small enough not to flip the ignore mask, large enough for float32
        double[] values = new double[2];
        for (int side = 0; side < 2; side++) {
            ConvWeights w = weights.conv(layer).copy();
            float[] array = kernel ? w.weights() : w.scales();
            array[index] += (float) (side == 0 ? eps : -eps);
            try (Session fresh = new Session(g)) {
                fresh.initialize();
                vars.load(fresh, weights.with(layer, w));
                values[side] = fetch(fresh, input, images, loss, targets, loss.total())[0];
            }
        }
        return (values[0] - values[1]) / (2 * eps);
    }

    private static float[] fetch(Session s, Placeholder<TFloat32> input, float[] images,
                                 YoloLoss.Components<TFloat32> loss, YoloTargets.Batch targets, Operand<TFloat32> what) {
        Session.Runner r = s.runner();
        try (TFloat32 in = TFloat32.tensorOf(Shape.of(2, 64, 64, 3), DataBuffers.of(images, true, false));
             YoloLoss.TargetFeed feed = loss.feed(r, targets)) {
            r.feed(input, in);
            r.fetch(what);
            try (Result res = r.run()) {
                TFloat32 t = (TFloat32) res.get(0);
                float[] out = new float[(int) t.size()];
                t.asRawTensor().data().asFloats().read(out);
                return out;
            }
        }
    }

    private static int argmaxAbs(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (Math.abs(a[i]) > Math.abs(a[best])) {
                best = i;
            }
        }
        return best;
    }
}
