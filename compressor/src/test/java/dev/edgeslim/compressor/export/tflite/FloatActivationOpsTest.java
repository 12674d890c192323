package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.compressor.export.lowering.Value;
import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The activations without a single TFLite builtin (Mish, Swish, logistic), as the exporter writes them, run in the
 * real TFLite runtime on its own kernels and on XNNPACK: in float32 they equal the exact function in double
 * precision over the whole float range (no overflow, no cancellation for very negative inputs), and in int8 they
 * give the correctly rounded output for every one of the 256 input codes. XNNPACK takes each graph whole.
 */
class FloatActivationOpsTest {
    private static final float[] INPUTS = inputs();

    private static float[] inputs() {
        float[] special = {-3.4e38f, -1e4f, -1000f, -100f, -88f, -50f, -30f, -20f, -17f, -10f, -1e-3f, -1e-7f, 0f,
                1e-7f, 1e-3f, 10f, 17f, 20f, 30f, 50f, 88f, 100f, 1000f, 1e4f, 3.4e38f};
        int grid = 401;
        float[] all = new float[special.length + grid];
        System.arraycopy(special, 0, all, 0, special.length);
        for (int i = 0; i < grid; i++) {
            all[special.length + i] = -10f + 20f * i / (grid - 1);
        }
        return all;
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"MISH", "SWISH", "LOGISTIC"})
    void float32CompositionIsTheExactFunctionEverywhere(Activation activation) {
        FloatEmitter emitter = new FloatEmitter(false, null);
        Value x = emitter.input("x", new Shape(1, INPUTS.length, 1));
        emitter.output(emitter.activation("y", x, activation));
        ByteBuffer model = FlatbufferModelWriter.write(emitter.graph());
        for (TfliteRunner.Delegates delegates : new TfliteRunner.Delegates[] {
                TfliteRunner.Delegates.NONE, TfliteRunner.Delegates.XNNPACK}) {
            try (TfliteRunner runner = TfliteRunner.load(model, 1, delegates)) {
                if (delegates == TfliteRunner.Delegates.XNNPACK) {
                    assertEquals(1, runner.executionPlanSize(), activation + ": XNNPACK did not take every op");
                }
                float[] y = runner.run(INPUTS)[0];
                double worst = 0;
                for (int i = 0; i < INPUTS.length; i++) {
                    double exact = activation.apply(INPUTS[i]);
                    double error = Math.abs(y[i] - exact);
                    // float32 rounding of each of the few ops; below 1e-30 the runtime may flush denormals
                    assertTrue(error <= 1e-30 + 2e-6 * Math.abs(exact), activation + " " + delegates + " at x = "
                            + INPUTS[i] + ": " + y[i] + " instead of " + exact);
                    if (Math.abs(exact) > 1e-30) {
                        worst = Math.max(worst, error / Math.abs(exact));
                    }
                }
                System.out.printf("%s float32 on %s: max relative error %.2e over %d inputs%n", activation,
                        delegates, worst, INPUTS.length);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"MISH", "SWISH", "LOGISTIC"})
    void int8RoundsEveryInputCodeCorrectly(Activation activation) {
        for (boolean integerOnly : new boolean[] {false, true}) {
            int8RoundsEveryInputCodeCorrectly(activation, integerOnly);
        }
    }

    private static void int8RoundsEveryInputCodeCorrectly(Activation activation, boolean integerOnly) {
        QuantParams in = QuantParams.fromRange(-9, 7);
        QuantParams out = QuantParams.fromRange(activation == Activation.LOGISTIC ? 0 : -0.31, 7);
        Int8Emitter emitter = new Int8Emitter(Map.of("x", in, "y", out), false, integerOnly);
        Value x = emitter.input("x", new Shape(1, 256, 1));
        emitter.output(emitter.activation("y", x, activation));
        ByteBuffer model = FlatbufferModelWriter.write(emitter.graph());
        byte[] codes = new byte[256];
        for (int i = 0; i < 256; i++) {
            codes[i] = (byte) (i + QuantParams.QMIN);
        }
        String form = integerOnly ? " lookup table" : " float island";
        for (TfliteRunner.Delegates delegates : new TfliteRunner.Delegates[] {
                TfliteRunner.Delegates.NONE, TfliteRunner.Delegates.XNNPACK}) {
            try (TfliteRunner runner = TfliteRunner.load(model, 1, delegates)) {
                if (delegates == TfliteRunner.Delegates.XNNPACK && !integerOnly) {
                    assertEquals(1, runner.executionPlanSize(), activation + ": XNNPACK did not take the int8 island");
                }
                runner.invokeRaw(codes);
                byte[] got = runner.rawOutput(0);
                int ties = 0;
                for (int i = 0; i < 256; i++) {
                    double exact = activation.apply(in.dequantize(codes[i])) / out.scale() + out.zeroPoint();
                    int expected = out.quantize(activation.apply(in.dequantize(codes[i])));
                    double fromTie = Math.abs(exact - Math.floor(exact) - 0.5);
                    if (got[i] != expected && fromTie < 1e-3 && Math.abs(got[i] - expected) == 1) {
                        ties++; // a float32 result within 1e-3 of a rounding tie may round either way
                        continue;
                    }
                    assertEquals(expected, got[i], activation + form + " " + delegates + " at input code " + codes[i]);
                }
                assertTrue(ties <= 2, activation + form + ": " + ties + " codes off by one");
            }
        }
    }
}
