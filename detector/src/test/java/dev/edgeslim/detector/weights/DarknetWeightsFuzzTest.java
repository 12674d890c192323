package dev.edgeslim.detector.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.fuzz.FuzzFiles;
import dev.edgeslim.detector.fuzz.InputContract;
import dev.edgeslim.detector.model.NetworkSpec;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Fuzzes the darknet .weights reader (header and body) against a fixed tiny cfg: 287 floats after the header.
 * Fuzzing: {@code .ci/fuzz 2m DarknetWeightsFuzzTest#readWeights}.
 */
class DarknetWeightsFuzzTest {
    static final NetworkSpec SPEC = CfgParser.parse(TinyModels.yolo(16, 2), "tiny.cfg");

    /** A weights file is read (and writes back byte for byte) or refused with one line naming the file. */
    @FuzzTest(maxDuration = "3m")
    void readWeights(byte[] input) throws Exception {
        Path file = FuzzFiles.write("fuzz.weights", input);
        WeightStore store = InputContract.valueOrRefusal(file.toString(), () -> DarknetWeights.read(file, SPEC));
        if (store != null) {
            store.checkMatches(SPEC);
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            DarknetWeights.writeTo(store, again);
            assertArrayEquals(input, again.toByteArray(), "weights round trip");
        }
        InputContract.valueOrRefusal(file.toString(), () -> DarknetWeights.readHeader(file));
    }
}
