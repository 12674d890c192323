package dev.edgeslim.compressor.export.tflite;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.InputContract;

import java.nio.ByteBuffer;

/**
 * Fuzzes loading a .tflite model into the TFLite runtime ({@link TfliteRunner}: flatbuffer verifier, interpreter
 * build, tensor allocation) and one inference on it. The TFLite runtime is native code, so a crash there takes the
 * JVM down; libFuzzer still saves the input.
 * Fuzzing: {@code JAZZER_FUZZ=1 mvn -o -pl compressor -am test -Dtest=TfliteModelFuzzTest#loadModel
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class TfliteModelFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void loadModel(byte[] input) throws Exception {
        InputContract.valueOrRefusal("<tflite buffer>", () -> {
            try (TfliteRunner runner = TfliteRunner.load(ByteBuffer.wrap(input), 1, TfliteRunner.Delegates.NONE)) {
                return runner.run(new float[runner.input().elements()]);
            }
        });
    }
}
