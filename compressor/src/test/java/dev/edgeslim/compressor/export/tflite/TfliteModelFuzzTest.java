package dev.edgeslim.compressor.export.tflite;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.InputContract;

import java.nio.ByteBuffer;

/**
 * Fuzzes loading a .tflite model through {@link TfliteRunner}: flatbuffer verifier, interpreter build, the
 * tensor-size check, allocation, and the runner's own checks of the input and output tensors (it found five bugs
 * there). The TFLite runtime underneath is native and not memory-safe against hostile models: fuzzing soon finds
 * models that crash {@code InterpreterBuilder} or corrupt the heap in {@code Invoke} (kept, not replayed, in
 * {@code tflite-runtime-crashes/}), which is why EdgeSlim loads only models it has just exported itself, and why
 * this target is not in {@code .ci/fuzz}'s default list. Regression mode replays its inputs like every target.
 * Fuzzing: {@code .ci/fuzz 2m TfliteModelFuzzTest#loadModel}.
 */
class TfliteModelFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void loadModel(byte[] input) throws Exception {
        InputContract.valueOrRefusal("<tflite buffer>", () -> {
            try (TfliteRunner runner = TfliteRunner.load(ByteBuffer.wrap(input), 1, TfliteRunner.Delegates.NONE)) {
                return runner.outputs();
            }
        });
    }
}
