package dev.edgeslim.detector.train;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StepMetricsTest {
    @Test
    void lossesKeepTheOrderTheTrainerGaveThem() {
        // the order metrics.jsonl is written in: two identical runs must write identical lines
        Map<String, Double> losses = new LinkedHashMap<>();
        List<String> names = List.of("total", "detection", "box", "obj", "cls", "attention", "l1");
        for (int k = 0; k < names.size(); k++) {
            losses.put(names.get(k), (double) k);
        }
        StepMetrics step = new StepMetrics(3, 0, 0.01, losses, 10);
        assertEquals(names, List.copyOf(step.losses().keySet()));
        losses.put("late", 1.0);
        assertEquals(names.size(), step.losses().size(), "a copy, not a view");
        assertThrows(UnsupportedOperationException.class, () -> step.losses().put("x", 1.0));
    }
}
