package dev.edgeslim.compressor.export.tflite;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FlatbufferModelWriterTest {

    @Test
    void aHandBuiltConvolutionRunsInTheRuntime() {
        TfliteGraph g = new TfliteGraph();
        int in = g.addActivation("x", new int[] {1, 4, 5, 2}, TfliteSchema.FLOAT32, null);
        Random r = new Random(1);
        float[] w = new float[3 * 3 * 3 * 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        float[] bias = {0.1f, -0.2f, 0.3f};
        int wt = g.addFloatConstant("w", new int[] {3, 3, 3, 2}, w);
        int bt = g.addFloatConstant("b", new int[] {3}, bias);
        int conv = g.addActivation("conv", new int[] {1, 4, 5, 3}, TfliteSchema.FLOAT32, null);
        g.addOperator(TfliteOp.CONV_2D, 1, new int[] {in, wt, bt}, new int[] {conv},
                new OpOptions.Conv2D(TfliteSchema.PADDING_SAME, 1, TfliteSchema.ACT_NONE));
        int out = g.addActivation("y", new int[] {1, 4, 5, 3}, TfliteSchema.FLOAT32, null);
        g.addOperator(TfliteOp.LEAKY_RELU, 1, new int[] {conv}, new int[] {out}, new OpOptions.LeakyRelu(0.1f));
        g.addInput(in);
        g.addOutput(out);
        g.setDescription("test");
        ByteBuffer model = FlatbufferModelWriter.write(g);
        byte[] bytes = new byte[model.remaining()];
        model.duplicate().get(bytes);
        assertEquals("TFL3", new String(bytes, 4, 4, StandardCharsets.US_ASCII));

        float[] x = new float[4 * 5 * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] expected = new float[4 * 5 * 3];
        for (int y = 0; y < 4; y++) {
            for (int xx = 0; xx < 5; xx++) {
                for (int o = 0; o < 3; o++) {
                    double s = bias[o];
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = y + ky - 1;
                            int ix = xx + kx - 1;
                            if (iy < 0 || iy >= 4 || ix < 0 || ix >= 5) {
                                continue;
                            }
                            for (int c = 0; c < 2; c++) {
                                s += w[((o * 3 + ky) * 3 + kx) * 2 + c] * x[(iy * 5 + ix) * 2 + c];
                            }
                        }
                    }
                    expected[(y * 5 + xx) * 3 + o] = (float) (s > 0 ? s : 0.1 * s);
                }
            }
        }
        try (TfliteRunner runner = TfliteRunner.load(model, 1, TfliteRunner.Delegates.NONE)) {
            assertArrayEquals(new int[] {1, 4, 5, 3}, runner.outputs().get(0).shape());
            float[] got = runner.run(x)[0];
            assertArrayEquals(expected, got, 1e-5f);
        }
    }
}
