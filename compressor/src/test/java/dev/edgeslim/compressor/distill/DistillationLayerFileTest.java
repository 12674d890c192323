package dev.edgeslim.compressor.distill;

import dev.edgeslim.detector.io.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A distillation layer file: one pair per line, comments and both spellings; errors name the file and line. */
class DistillationLayerFileTest {
    @TempDir
    Path dir;

    @Test
    void readsPairsWithCommentsAndBothSpellings() throws Exception {
        Path f = Files.writeString(dir.resolve("layers.txt"), "# backbone stage ends\n23:2.5\n\n  54 0.5  # neck\n104\n");
        assertEquals(List.of(new LayerPair(23, 23, 2.5), new LayerPair(54, 54, 0.5), new LayerPair(104, 104, 7)),
                DistillationPairs.read(f, 7));
    }

    @Test
    void errorsNameTheFileAndLine() throws Exception {
        String[][] cases = {{"1\n2:x\n", ":2:", "'2:x'"}, {"1,2\n", ":1:", "one layer per line"},
                {"3\n\n4 5 6\n", ":3:", "'4 5 6'"}, {"# nothing\n", "layers.txt", "no distillation layers"},
                {"5:\n", ":1:", "'5:'"}};
        for (String[] c : cases) {
            Path f = Files.writeString(dir.resolve("layers.txt"), c[0]);
            BadInputException e = assertThrows(BadInputException.class, () -> DistillationPairs.read(f, 1), c[0]);
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            for (int i = 1; i < c.length; i++) {
                assertTrue(e.getMessage().contains(c[i]), "'" + c[i] + "' in " + e.getMessage());
            }
        }
        Path missing = dir.resolve("missing.txt");
        assertTrue(assertThrows(BadInputException.class, () -> DistillationPairs.read(missing, 1)).getMessage()
                .contains("missing.txt: no such file"));
        Path big = Files.write(dir.resolve("big.txt"), new byte[(int) DistillationPairs.MAX_FILE_BYTES + 1]);
        assertTrue(assertThrows(BadInputException.class, () -> DistillationPairs.read(big, 1)).getMessage()
                .contains("larger than 1 MB"));
    }
}
