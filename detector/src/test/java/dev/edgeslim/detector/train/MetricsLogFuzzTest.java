package dev.edgeslim.detector.train;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.FuzzFiles;
import dev.edgeslim.detector.fuzz.InputContract;

import java.nio.file.Path;

/**
 * Fuzzes the training log read back on {@code --resume} ({@code metrics.jsonl}).
 * Fuzzing: {@code .ci/fuzz 2m MetricsLogFuzzTest#resumeLog}.
 */
class MetricsLogFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void resumeLog(byte[] input) throws Exception {
        Path file = FuzzFiles.write("metrics.jsonl", input);
        InputContract.valueOrRefusal(file.toString(), () -> {
            new MetricsLog(file, 1).resumeFrom(20);
            return Boolean.TRUE;
        });
    }
}
