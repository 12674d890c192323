package dev.edgeslim.compressor.export.tflite;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Float16Test {

    private static int bits(float f) {
        return Float16.fromFloat(f) & 0xffff;
    }

    @Test
    void knownValuesRoundToNearestEven() {
        assertEquals(0x3c00, bits(1f));
        assertEquals(0xc000, bits(-2f));
        assertEquals(0x0000, bits(0f));
        assertEquals(0x8000, bits(-0f));
        assertEquals(0x7bff, bits(65504f));
        assertEquals(0x7bff, bits(65519f));           // below the halfway point to 65536
        assertEquals(0x7c00, bits(65520f));           // halfway rounds to even: infinity
        assertEquals(0x7c00, bits(Float.POSITIVE_INFINITY));
        assertEquals(0x0001, bits(0x1p-24f));         // smallest subnormal
        assertEquals(0x0000, bits(0x1p-25f));         // halfway to it: ties to even (0)
        assertEquals(0x0001, bits(0x1.8p-25f));       // above halfway
        assertEquals(0x0400, bits(0x1p-14f));         // smallest normal
        assertEquals(0x03ff, bits(0x1.ff8p-15f));     // largest subnormal
        assertEquals(0x3c00, bits(1f + 0x1p-11f));    // tie: stays on the even 1.0
        assertEquals(0x3c02, bits(1f + 0x3p-11f));    // tie: rounds up to the even 1 + 2^-9
        assertEquals(0x3555, bits(1f / 3));
    }

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            int exponent = (h >>> 10) & 0x1f;
            if (exponent == 0x1f && (h & 0x3ff) != 0) {
                continue; // NaN payloads are not preserved bit for bit
            }
            assertEquals(h, bits(Float16.toFloat((short) h)), "half 0x" + Integer.toHexString(h));
        }
    }
}
