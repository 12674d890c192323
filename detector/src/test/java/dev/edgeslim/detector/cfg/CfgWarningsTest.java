package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CfgWarningsTest {
    @Test
    void eachSetOfKeptOptionsIsReportedOncePerScopeAndNothingOutsideOne(@TempDir Path dir) throws Exception {
        String cfg = TinyModels.yolo(64, 8, 16);
        Path input = dir.resolve("input.cfg");
        Path pruned = dir.resolve("pruned.cfg");
        Path other = dir.resolve("other.cfg");
        Files.writeString(input, cfg.replaceFirst("\\[net\\]\n", "[net]\nema_alpha=0.9998\n"));
        // written back by a later stage: the same options, one line further down
        Files.writeString(pruned, "# pruned\n" + Files.readString(input));
        Files.writeString(other, cfg.replaceFirst("\\[net\\]\n", "[net]\nmosaic=1\n"));

        CfgParser.parse(input); // no scope: nowhere to go, nothing thrown
        List<String> seen = new ArrayList<>();
        try (CfgWarnings.Scope ignored = CfgWarnings.reportTo(seen::add)) {
            CfgParser.parse(input);
            CfgParser.parse(input);
            CfgParser.parse(pruned); // already said of its input
            CfgParser.parse(other);
        }
        CfgParser.parse(other);
        List<String> prunedOwn = new ArrayList<>();
        CfgParser.parse(pruned, prunedOwn::add); // an explicit sink hears every parse
        assertTrue(prunedOwn.get(0).startsWith(pruned + ":3: warning: "), prunedOwn.toString());
        assertEquals(2, seen.size(), seen.toString());
        assertTrue(seen.get(0).startsWith(input + ":2: warning: ") && seen.get(0).contains("ema_alpha"), seen.get(0));
        assertTrue(seen.get(1).startsWith(other + ":2: warning: ") && seen.get(1).contains("mosaic"), seen.get(1));
    }
}
