package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.Quantization;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorEncodingTest {

    @Test
    void int8WritesTheSharedQuantizationAndReadsItBack() {
        TensorEncoding e = TensorEncoding.int8(0.05f, -7);
        float[] values = {0f, 0.05f, -0.3f, 1.234f, 100f, -100f, 0.5f};
        ByteBuffer buffer = e.allocate(values.length);
        assertTrue(buffer.isDirect());
        assertEquals(ByteOrder.nativeOrder(), buffer.order());
        e.encode(values, buffer, new byte[values.length]);
        byte[] written = new byte[values.length];
        buffer.duplicate().get(written);
        assertArrayEquals(Quantization.quantize(values, 0.05f, -7, true), written);
        float[] back = e.decode(buffer, values.length);
        assertArrayEquals(Quantization.dequantize(written, 0.05f, -7, true), back);
        assertEquals(1.25f, back[3], 1e-6f); // round(24.68) = 25 -> 0.05 * 25
        assertEquals(0.05f * (127 + 7), back[4], 1e-6f); // clamped
    }

    @Test
    void float32IsACopyInNativeOrder() {
        TensorEncoding e = TensorEncoding.float32();
        float[] values = {1.5f, -2.25f, 3e-8f};
        ByteBuffer buffer = e.allocate(values.length);
        assertEquals(12, buffer.capacity());
        e.encode(values, buffer, null);
        assertEquals(1.5f, buffer.order(ByteOrder.nativeOrder()).getFloat(0));
        assertArrayEquals(values, e.decode(buffer, values.length));
    }

    @Test
    void rejectsImpossibleParameters() {
        assertThrows(IllegalArgumentException.class, () -> TensorEncoding.int8(0f, 0));
        assertThrows(IllegalArgumentException.class, () -> TensorEncoding.int8(Float.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> TensorEncoding.int8(1f, 128));
    }
}
