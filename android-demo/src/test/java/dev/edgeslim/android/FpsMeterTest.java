package dev.edgeslim.android;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FpsMeterTest {
    @Test
    void settlesOnTheResultRateAndStartsAgainAfterReset() {
        FpsMeter m = new FpsMeter();
        assertEquals(0, m.fps());
        m.tick(0);
        assertEquals(0, m.fps(), "one result is no rate yet");
        long t = 0;
        for (int i = 0; i < 40; i++) {
            t += 50_000_000L; // 20 results a second
            m.tick(t);
        }
        assertEquals(20.0, m.fps(), 1e-6);
        t += 100_000_000L; // one slow frame moves it by a fifth of the difference, not all the way
        m.tick(t);
        assertEquals(1e9 / (0.8 * 50e6 + 0.2 * 100e6), m.fps(), 1e-6);
        m.reset();
        assertEquals(0, m.fps());
    }
}
