package dev.edgeslim.detector.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.FuzzFiles;
import dev.edgeslim.detector.fuzz.InputContract;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes darknet .names files, both readers: {@link NamesFile#read} (export metadata, detect) and
 * {@link VocClasses#load} (custom dataset classes, which also refuses repeated names).
 * Fuzzing: {@code .ci/fuzz 2m NamesFileFuzzTest#readNames}.
 */
class NamesFileFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void readNames(byte[] input) throws Exception {
        Path file = FuzzFiles.write("fuzz.names", input);
        List<String> names = InputContract.valueOrRefusal(file.toString(), () -> NamesFile.read(file));
        if (names != null) {
            assertFalse(names.isEmpty());
            for (String n : names) {
                assertTrue(!n.isEmpty() && n.equals(n.strip()) && n.length() <= NamesFile.MAX_NAME_LENGTH, n);
            }
        }
        VocClasses classes = InputContract.valueOrRefusal(file.toString(), () -> VocClasses.load(file));
        if (classes != null) {
            assertEquals(names, classes.names(), "both readers agree on an accepted file");
            assertEquals(classes.size(), new HashSet<>(classes.names()).size(), "distinct names");
        }
    }
}
