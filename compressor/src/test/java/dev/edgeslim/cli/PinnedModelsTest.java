package dev.edgeslim.cli;

import dev.edgeslim.compressor.models.PinnedModel;
import dev.edgeslim.detector.data.SyntheticVoc;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every model kept under {@code benchmarks/models/}: its files match their recorded SHA-256, today's generator
 * still produces the exact data it was trained on, and it scores the recorded mAP on its split (± 0.5 point).
 */
class PinnedModelsTest {
    @TempDir
    Path dir;

    static Path modelsFolder() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path models = p.resolve("benchmarks").resolve("models");
            if (Files.isDirectory(models) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return models;
            }
        }
        throw new IllegalStateException("benchmarks/models not found above " + Path.of("").toAbsolutePath());
    }

    @TestFactory
    Stream<DynamicTest> everyPinnedModelStillHoldsItsRecord() throws IOException {
        List<Path> folders;
        try (Stream<Path> s = Files.list(modelsFolder())) {
            folders = s.filter(f -> Files.isRegularFile(f.resolve(PinnedModel.RECORD))).sorted().toList();
        }
        assertFalse(folders.isEmpty(), "no pinned model under " + modelsFolder());
        return folders.stream().map(folder -> DynamicTest.dynamicTest(folder.getFileName().toString(), () -> {
            PinnedModel m = PinnedModel.read(folder);
            assertNotNull(m.dataset().synthetic(), "a committed model must be trained on data the repository "
                    + "can regenerate");
            Path voc = dir.resolve(folder.getFileName().toString());
            SyntheticVoc.generate(voc, m.dataset().synthetic(), false, null);
            CliRunner r = CliRunner.run("pin-model", "--check", folder.toString(), "--data", voc.toString(),
                    "--tolerance", "0.5");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("files and data match"), r.out());
        }));
    }
}
