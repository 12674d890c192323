package dev.edgeslim.compressor.distill;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.fuzz.InputContract;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.YoloLayer;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes distillation layer specs ({@code distill --layers 12,34:0.5}) and their check against a teacher/student
 * pair (yolov4-tiny).
 * Fuzzing: {@code .ci/fuzz 2m DistillationPairsFuzzTest#parsePairs}.
 */
class DistillationPairsFuzzTest {
    static final NetworkSpec SPEC = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));

    @FuzzTest(maxDuration = "3m")
    void parsePairs(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        List<LayerPair> pairs = InputContract.valueOrRefusal("--layers", () -> {
            List<LayerPair> p = DistillationPairs.parse(text, 1.0, "--layers");
            DistillationPairs.check(SPEC, SPEC, p, "--layers");
            return p;
        });
        if (pairs != null) {
            for (LayerPair p : pairs) {
                assertTrue(p.studentLayer() >= 0 && p.studentLayer() < SPEC.size()
                        && !(SPEC.layer(p.studentLayer()) instanceof YoloLayer), "pair " + p);
                assertTrue(p.weight() >= 0 && Double.isFinite(p.weight()), "weight " + p);
            }
        }
    }
}
