package dev.edgeslim.detector.postprocess;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QuantizationTest {
    @Test
    void uint8RoundsAndClamps() {
        float[] v = {0f, 1f / 255f, 0.25f, 1f, 2f, -1f, Float.NaN};
        byte[] q = Quantization.quantize(v, 1f / 255f, 0, false);
        int[] asInts = new int[q.length];
        for (int i = 0; i < q.length; i++) {
            asInts[i] = q[i] & 0xFF;
        }
        // 0.25 * 255 = 63.75 rounds to 64; out-of-range clamps; NaN becomes the zero point
        assertArrayEquals(new int[] {0, 1, 64, 255, 255, 0, 0}, asInts);
        // halves round away from zero
        assertArrayEquals(new byte[] {3, -3, 2}, Quantization.quantize(new float[] {2.5f, -2.5f, 2.49f}, 1f, 0, true));
    }

    @Test
    void int8UsesZeroPointAndSignedRange() {
        float[] v = {0f, 0.25f, 1f, -0.25f};
        byte[] q = Quantization.quantize(v, 1f / 255f, -128, true);
        assertArrayEquals(new byte[] {-128, 64 - 128, 127, -128}, q);
        float[] back = Quantization.dequantize(q, 1f / 255f, -128, true);
        assertEquals(0f, back[0], 0f);
        assertEquals(64f / 255f, back[1], 1e-7f);
        assertEquals(1f, back[2], 1e-6f);
        assertEquals(-1f, Quantization.dequantize(new byte[] {(byte) 0xFF}, 1f, 0, true)[0]);
        assertEquals(255f, Quantization.dequantize(new byte[] {(byte) 0xFF}, 1f, 0, false)[0]);
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> Quantization.quantize(new float[1], 0f, 0, true));
        assertThrows(IllegalArgumentException.class, () -> Quantization.quantize(new float[1], 1f, 200, true));
        assertThrows(IllegalArgumentException.class, () -> Quantization.dequantize(new byte[1], 1f, -1, false));
    }
}
