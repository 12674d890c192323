package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The YOLOv3/v4/v7 family from darknet's cfg folder (reference/cfg) counts like darknet. The expected figures are
 * darknet's own (AlexeyAB darknet 59596d7, CPU build, {@code ./darknet partial CFG empty.weights out.weights
 * 100000}): the "Total BFLOPS" it prints at the cfg's own input size, and the number of floats in the
 * .weights file it then writes ((bytes - 20-byte header) / 4: weights, biases and the four batch-norm vectors).
 */
class FamilyCfgTotalsTest {
    @ParameterizedTest
    @CsvSource({
            "yolov4-csp.cfg,        77.003,  52986205",
            "yolov4-csp-swish.cfg,  120.317, 52986205",
            "yolov4-csp-s-mish.cfg, 20.923,  8291165",
            "yolov4x-mish.cfg,      221.986, 99847037",
            "yolov7-tiny.cfg,       5.802,   6241885",
            "yolov4-tiny-3l.cfg,    17.741,  6334045",
            "yolov3.cfg,            65.879,  62001757",
            "yolov3-spp.cfg,        141.531, 63052381",
            "yolov4.cfg,            128.459, 64429405",
            "yolov4-tiny.cfg,       6.910,   6062814"})
    void bflopsAndWeightFloatsEqualDarknets(String cfg, double darknetBflops, long darknetFloats) {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg(cfg));
        // darknet prints three decimals
        assertEquals(darknetBflops, spec.totalFlops() / 1e9, 0.0005, cfg);
        assertEquals(darknetFloats, DarknetWeights.expectedFloats(spec), cfg);
    }
}
