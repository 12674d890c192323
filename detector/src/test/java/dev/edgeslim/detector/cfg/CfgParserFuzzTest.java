package dev.edgeslim.detector.cfg;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.InputContract;
import dev.edgeslim.detector.model.NetworkSpec;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes the darknet cfg parser. Regression mode (every {@code mvn test}) replays
 * {@code src/test/resources/dev/edgeslim/detector/cfg/CfgParserFuzzTestInputs/parseCfg/}; fuzzing mode:
 * {@code .ci/fuzz 2m CfgParserFuzzTest#parseCfg}.
 */
class CfgParserFuzzTest {

    /** A cfg parses (and then writes back to an equal network) or is refused with one line naming the file. */
    @FuzzTest(maxDuration = "3m")
    void parseCfg(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        NetworkSpec spec = InputContract.valueOrRefusal("fuzz.cfg", () -> CfgParser.parse(text, "fuzz.cfg"));
        if (spec != null) {
            assertEquals(spec, CfgParser.parse(CfgWriter.toText(spec), "rewritten.cfg"), "cfg round trip");
        }
    }
}
