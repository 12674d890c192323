package dev.edgeslim.detector.weights;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchNormFoldingTest {
    @Test
    void aFoldedConvolutionComputesWhatConvolutionThenBatchNormComputes() {
        Random r = new Random(3);
        int filters = 4;
        int perFilter = 6; // 1x1 convolution over 6 input channels
        float[] kernel = new float[filters * perFilter];
        float[] beta = new float[filters];
        float[] gamma = new float[filters];
        float[] mean = new float[filters];
        float[] var = new float[filters];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (float) r.nextGaussian();
        }
        for (int o = 0; o < filters; o++) {
            beta[o] = (float) r.nextGaussian();
            gamma[o] = (float) r.nextGaussian();
            mean[o] = (float) r.nextGaussian();
            var[o] = (float) (r.nextDouble() * 2 + (o == 0 ? 0 : 0.1)); // filter 0: variance near ε matters
        }
        var[0] = 0;
        BatchNormFolding.Folded f = BatchNormFolding.fold(new ConvWeights(beta, gamma, mean, var, kernel));
        double[] x = r.doubles(perFilter).toArray();
        for (int o = 0; o < filters; o++) {
            double conv = 0;
            double folded = f.bias()[o];
            for (int c = 0; c < perFilter; c++) {
                conv += kernel[o * perFilter + c] * x[c];
                folded += f.oihw()[o * perFilter + c] * x[c];
            }
            double bn = gamma[o] * (conv - mean[o]) / Math.sqrt(var[o] + 1e-5) + beta[o];
            assertEquals(bn, folded, 1e-3 * Math.max(1, Math.abs(bn)), "filter " + o);
        }
    }

    @Test
    void withoutBatchNormTheWeightsComeBackAsCopies() {
        float[] kernel = {1, 2, 3, 4};
        float[] bias = {0.5f, -0.5f};
        ConvWeights w = new ConvWeights(bias, null, null, null, kernel);
        BatchNormFolding.Folded f = BatchNormFolding.fold(w);
        assertArrayEquals(kernel, f.oihw());
        assertArrayEquals(bias, f.bias());
        f.oihw()[0] = 9;
        assertEquals(1, w.weights()[0]);
    }
}
