package dev.edgeslim.compressor.prune;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.fuzz.InputContract;
import dev.edgeslim.detector.model.NetworkSpec;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes hand-written prune group files ({@code prune --groups FILE}) against yolov4-tiny (38 layers).
 * Fuzzing: {@code .ci/fuzz 2m GroupFileFuzzTest#parseGroups}.
 */
class GroupFileFuzzTest {
    static final NetworkSpec SPEC = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));

    /** Groups parse into disjoint, in-range layer sets with valid options, or are refused with one line. */
    @FuzzTest(maxDuration = "3m")
    void parseGroups(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        List<PruneGroup> groups = InputContract.valueOrRefusal("groups.txt",
                () -> GroupFile.parse(text, "groups.txt", SPEC, GroupOptions.ratio(0.5)));
        if (groups == null) {
            return;
        }
        Set<Integer> seen = new HashSet<>();
        for (PruneGroup g : groups) {
            for (int l : g.layers()) {
                assertTrue(l >= 0 && l < SPEC.size() && seen.add(l), "layer " + l + " in " + g.name());
            }
        }
    }
}
