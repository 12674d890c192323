package dev.edgeslim.detector.inference;

import dev.edgeslim.detector.eval.ScoredDetection;
import dev.edgeslim.detector.postprocess.Detection;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DatasetEvaluationTest {
    @Test
    void continuousBoxesBecomeOneBasedInclusivePixels() {
        ScoredDetection v = DatasetEvaluation.toVoc("img", new Detection(3, 0.9f, 10f, 20f, 50f, 60f));
        assertEquals(11, v.x1(), 1e-9);
        assertEquals(21, v.y1(), 1e-9);
        assertEquals(50, v.x2(), 1e-9);
        assertEquals(60, v.y2(), 1e-9);
    }

    @Test
    void aSubPixelBoxStillCoversOnePixel() {
        // seen in training: a 0.98-px-wide detection at the right edge became x1 > x2 and stopped the run
        ScoredDetection v = DatasetEvaluation.toVoc("img", new Detection(0, 0.5f, 271.98f, 0.33f, 272f, 19.68f));
        assertEquals(v.x1(), v.x2(), 1e-9);
        assertEquals(272.98, v.x1(), 1e-4);
    }
}
