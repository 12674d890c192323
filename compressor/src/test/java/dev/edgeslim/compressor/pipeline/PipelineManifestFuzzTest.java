package dev.edgeslim.compressor.pipeline;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.FuzzFiles;
import dev.edgeslim.detector.fuzz.InputContract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the compress run manifest ({@code manifest.json}) that a re-run or a resume reads back.
 * Fuzzing: {@code .ci/fuzz 2m PipelineManifestFuzzTest#openManifest}.
 */
class PipelineManifestFuzzTest {

    /** A manifest opens (and can record a stage) or is refused with one line naming it. */
    @FuzzTest(maxDuration = "3m")
    void openManifest(byte[] input) throws Exception {
        Path dir = FuzzFiles.dir().resolve("manifest");
        Files.createDirectories(dir);
        // a relative input that does not exist: recorded by path only, so a committed seed manifest matches it
        Path cfg = Path.of("fuzz-input.cfg");
        Path file = dir.resolve(PipelineManifest.FILE);
        Files.write(file, input);
        PipelineManifest m = InputContract.valueOrRefusal(file.toString(), () -> PipelineManifest.open(dir,
                Map.of("cfg", cfg), List.of("--ratio", "0.5")));
        if (m != null) {
            m.markDone("sparse", Map.of("epochs", 1));
            assertTrue(m.done("sparse"));
            assertTrue(PipelineManifest.open(dir, Map.of("cfg", cfg), List.of("--ratio", "0.5")).done("sparse"));
        }
    }
}
