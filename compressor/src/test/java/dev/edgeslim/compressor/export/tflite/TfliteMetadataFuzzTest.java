package dev.edgeslim.compressor.export.tflite;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.InputContract;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes the exported model's metadata JSON ({@code MODEL.tflite.json}) reader.
 * Fuzzing: {@code .ci/fuzz 2m TfliteMetadataFuzzTest#parseMetadata}.
 */
class TfliteMetadataFuzzTest {

    /** Metadata parses (and writes back to equal metadata) or is refused with one line naming the file. */
    @FuzzTest(maxDuration = "3m")
    void parseMetadata(byte[] input) throws Exception {
        String json = new String(input, StandardCharsets.UTF_8);
        TfliteMetadata m = InputContract.valueOrRefusal("fuzz.tflite.json",
                () -> TfliteMetadata.parse(json, "fuzz.tflite.json"));
        if (m != null) {
            assertEquals(m, TfliteMetadata.parse(m.toJson(), "rewritten.json"), "metadata round trip");
        }
    }
}
