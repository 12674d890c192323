package dev.edgeslim.compressor.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LatencyStatsTest {
    @Test
    void statistics() {
        LatencyStats s = LatencyStats.of(new double[] {5, 1, 4, 2, 3, 10, 6, 7, 8, 9});
        assertEquals(5.5, s.medianMs());
        assertEquals(9, s.p90Ms());
        assertEquals(5.5, s.meanMs());
        assertEquals(1, s.minMs());
        LatencyStats odd = LatencyStats.of(new double[] {3, 1, 2});
        assertEquals(2, odd.medianMs());
        assertEquals(3, odd.p90Ms());
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(new double[0]));
    }

    @Test
    void interleavesRuntimesAndSkipsWarmup() {
        List<String> calls = new ArrayList<>();
        TimedModel a = fake("a", calls);
        TimedModel b = fake("b", calls);
        int[] steps = {0};
        var stats = LatencyBenchmark.measure(List.of(a, b), new float[1], 1, 1, 3, () -> steps[0]++);
        assertEquals(List.of("a", "b", "b", "a", "a", "b", "b", "a"), calls);
        assertEquals(8, steps[0]);
        assertEquals(List.of("a", "b"), List.copyOf(stats.keySet()));
        assertEquals(3, stats.get("a").samplesMs().length);
    }

    @Test
    void eachModelGetsItsOwnInputAndSameNamesStayApart() {
        List<String> calls = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        TimedModel small = sized("tflite-fp32", calls, lengths);
        TimedModel large = sized("tflite-fp32", calls, lengths); // same runtime name, another model
        List<LatencyStats> stats = LatencyBenchmark.measureEach(List.of(small, large),
                List.of(new float[2], new float[5]), 1, 0, 2, () -> { });
        assertEquals(2, stats.size());
        assertEquals(List.of(2, 5, 5, 2), lengths);
        assertEquals(2, stats.get(1).samplesMs().length);
        assertThrows(IllegalArgumentException.class, () -> LatencyBenchmark.measureEach(List.of(small),
                List.of(), 1, 0, 1, () -> { }));
        float[] a = LatencyBenchmark.randomInput(12);
        assertEquals(12, a.length);
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(LatencyBenchmark.randomInput(12)));
    }

    private static TimedModel sized(String name, List<String> calls, List<Integer> lengths) {
        return new TimedModel(name, (nhwc, batch) -> {
            calls.add(name);
            lengths.add(nhwc.length);
            return new float[0][];
        }, () -> { });
    }

    private static TimedModel fake(String name, List<String> calls) {
        return sized(name, calls, new ArrayList<>());
    }
}
