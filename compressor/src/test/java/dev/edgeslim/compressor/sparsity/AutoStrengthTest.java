package dev.edgeslim.compressor.sparsity;

import dev.edgeslim.detector.train.LearningRateSchedule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoStrengthTest {

    @Test
    void constantRateGivesTheClosedForm() {
        // Σ lr = 1000 · 0.002 = 2; / (1 − 0.9) = 20; median |γ| = 0.8; reach 1.5 → s = 1.2 / 20 = 0.06
        float[] gammas = {0.5f, -0.8f, 0.9f, 0.7f, 1.1f};
        double s = AutoStrength.of(gammas, LearningRateSchedule.constant(0.002), SparsitySchedule.constant(0), 1000, 0.9, 1.5);
        assertEquals(0.06, s, 1e-9);
    }

    @Test
    void aLongerRunNeedsAProportionallyWeakerPenalty() {
        float[] gammas = {1f, 1f, 1f};
        LearningRateSchedule cosine = LearningRateSchedule.cosine(0.002, 50);
        double shortRun = AutoStrength.of(gammas, cosine, SparsitySchedule.dynamic(0), 1000, 0.9, 1.5);
        double longRun = AutoStrength.of(gammas, cosine, SparsitySchedule.dynamic(0), 10_000, 0.9, 1.5);
        assertTrue(shortRun > 5 * longRun && shortRun < 15 * longRun, shortRun + " vs " + longRun);
        // the travel the chosen strength buys is reach · median, whatever the run's length
        assertEquals(1.5, longRun * AutoStrength.travelPerUnitStrength(cosine, SparsitySchedule.dynamic(0), 10_000, 0.9), 1e-9);
    }

    @Test
    void aRampingScheduleGetsTheSameTravelAsAConstantOne() {
        float[] gammas = {1f, 0.9f, 1.1f};
        LearningRateSchedule cosine = LearningRateSchedule.cosine(0.002, 50);
        double constant = AutoStrength.of(gammas, cosine, SparsitySchedule.constant(0), 1000, 0.9, 1.5);
        double linear = AutoStrength.of(gammas, cosine, SparsitySchedule.linear(0), 1000, 0.9, 1.5);
        // the linear ramp starts at 0.1·s while the learning rate is highest: it needs a larger s
        assertTrue(linear > 2 * constant, linear + " vs " + constant);
        assertEquals(1.5, linear * AutoStrength.travelPerUnitStrength(cosine, SparsitySchedule.linear(0), 1000, 0.9),
                1e-9);
    }

    @Test
    void capsAtOneAndRefusesAnEmptyModel() {
        assertEquals(1.0, AutoStrength.of(new float[] {5f}, LearningRateSchedule.constant(1e-6), SparsitySchedule.constant(0), 1, 0, 1.5));
        assertThrows(IllegalArgumentException.class,
                () -> AutoStrength.of(new float[0], LearningRateSchedule.constant(0.01), SparsitySchedule.constant(0), 10, 0.9,
                        1.5));
    }
}
