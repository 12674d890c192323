package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.detector.io.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compress manifest remembers finished stages and refuses a folder of another run or a damaged manifest. */
class PipelineManifestTest {
    @TempDir
    Path dir;

    @Test
    void finishedStagesAreRememberedForTheSameInputsAndOptions() throws Exception {
        Path cfg = Files.writeString(dir.resolve("m.cfg"), "[net]\n");
        PipelineManifest m = PipelineManifest.open(dir, Map.of("cfg", cfg), List.of("--ratio", "0.5"));
        assertFalse(m.done("sparse"));
        m.markDone("sparse", Map.of("epochs", 3));
        assertTrue(PipelineManifest.open(dir, Map.of("cfg", cfg), List.of("--ratio", "0.5")).done("sparse"));
    }

    @Test
    void anotherRunsFolderOrADamagedManifestIsRefused() throws Exception {
        Path cfg = Files.writeString(dir.resolve("m.cfg"), "[net]\n");
        PipelineManifest.open(dir, Map.of("cfg", cfg), List.of("--ratio", "0.5"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> PipelineManifest.open(dir, Map.of("cfg", cfg), List.of("--ratio", "0.6")));
        assertTrue(e.getMessage().contains("other options"), e.getMessage());
        Files.writeString(cfg, "[net]\nwidth=32\n"); // same path, other content
        e = assertThrows(BadInputException.class,
                () -> PipelineManifest.open(dir, Map.of("cfg", cfg), List.of("--ratio", "0.5")));
        assertTrue(e.getMessage().contains("other inputs"), e.getMessage());

        Path file = dir.resolve(PipelineManifest.FILE);
        Files.writeString(file, "{\n  \"stages\": {,\n}");
        e = assertThrows(BadInputException.class,
                () -> PipelineManifest.open(dir, Map.of("cfg", cfg), List.of("--ratio", "0.5")));
        assertTrue(e.getMessage().startsWith(file + ": not a readable manifest: malformed JSON at line 2"),
                e.getMessage());
        Files.writeString(file, "[1, 2]");
        e = assertThrows(BadInputException.class,
                () -> PipelineManifest.open(dir, Map.of("cfg", cfg), List.of("--ratio", "0.5")));
        assertTrue(e.getMessage().contains("not an EdgeSlim compress manifest"), e.getMessage());
    }
}
