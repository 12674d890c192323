package dev.edgeslim.detector.postprocess;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NmsTest {
    static Detection box(int cls, float score, float x1, float y1, float x2, float y2) {
        return new Detection(cls, score, x1, y1, x2, y2);
    }

    @Test
    void iouOfKnownBoxes() {
        Detection a = box(0, 1f, 0, 0, 10, 10);
        assertEquals(1f, a.iou(a), 0f);
        assertEquals(90f / 110f, a.iou(box(0, 1f, 1, 0, 11, 10)), 1e-6f);
        assertEquals(0f, a.iou(box(0, 1f, 10, 0, 20, 10)), 0f); // touching edges
        assertEquals(0.5f, a.iou(box(0, 1f, 0, 0, 10, 5)), 0f);
    }

    @Test
    void overlappingSameClassIsSuppressedRegardlessOfInputOrder() {
        Detection low = box(0, 0.8f, 1, 0, 11, 10);
        Detection high = box(0, 0.9f, 0, 0, 10, 10);
        List<Detection> kept = Nms.perClass(Arrays.asList(low, high), 0.45f);
        assertEquals(1, kept.size());
        assertSame(high, kept.get(0));
    }

    @Test
    void differentClassesAreKeptPerClassButNotClassAgnostic() {
        Detection dog = box(0, 0.9f, 0, 0, 10, 10);
        Detection cat = box(1, 0.8f, 1, 0, 11, 10);
        assertEquals(Arrays.asList(dog, cat), Nms.perClass(Arrays.asList(cat, dog), 0.45f));
        assertEquals(Arrays.asList(dog), Nms.classAgnostic(Arrays.asList(cat, dog), 0.45f, 0));
    }

    @Test
    void iouEqualToThresholdSurvivesAboveIsSuppressed() {
        Detection a = box(2, 0.9f, 0, 0, 10, 10);
        Detection half = box(2, 0.6f, 0, 0, 10, 5); // IoU exactly 0.5
        assertEquals(2, Nms.perClass(Arrays.asList(a, half), 0.5f).size());
        assertEquals(1, Nms.perClass(Arrays.asList(a, half), Math.nextDown(0.5f)).size());
    }

    @Test
    void equalScoresKeepInputOrder() {
        Detection first = box(0, 0.7f, 0, 0, 10, 10);
        Detection second = box(0, 0.7f, 1, 1, 11, 11);
        assertSame(first, Nms.perClass(Arrays.asList(first, second), 0.3f).get(0));
        assertSame(second, Nms.perClass(Arrays.asList(second, first), 0.3f).get(0));
    }

    @Test
    void greedySuppressionOnlyBySurvivors() {
        // b overlaps a and c (IoU 0.25 each); a suppresses b, so c (which overlaps only b) survives
        Detection a = box(0, 0.9f, 0, 0, 10, 10);
        Detection b = box(0, 0.8f, 6, 0, 16, 10);
        Detection c = box(0, 0.7f, 12, 0, 22, 10);
        assertEquals(Arrays.asList(a, c), Nms.perClass(Arrays.asList(c, b, a), 0.2f));
    }

    @Test
    void capKeepsHighestScores() {
        Detection a = box(0, 0.5f, 0, 0, 10, 10);
        Detection b = box(1, 0.9f, 0, 0, 10, 10);
        Detection c = box(0, 0.7f, 50, 50, 60, 60);
        Detection d = box(3, 0.6f, 100, 100, 110, 110);
        assertEquals(Arrays.asList(b, c), Nms.perClass(Arrays.asList(a, b, c, d), 0.45f, 2));
        assertEquals(Arrays.asList(b, c, d, a), Nms.perClass(Arrays.asList(a, b, c, d), 0.45f, 0));
    }

    @Test
    void dropsNaNScoresAndValidatesThreshold() {
        Detection ok = box(0, 0.5f, 0, 0, 10, 10);
        Detection nan = box(0, Float.NaN, 0, 0, 10, 10);
        assertEquals(Arrays.asList(ok), Nms.perClass(Arrays.asList(nan, ok), 0.45f));
        assertThrows(IllegalArgumentException.class, () -> Nms.perClass(Arrays.asList(ok), 1.5f));
    }
}
