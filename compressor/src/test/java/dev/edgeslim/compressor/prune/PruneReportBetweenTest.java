package dev.edgeslim.compressor.prune;

import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A compressed model compared with the one it came from, knowing only the two networks. */
class PruneReportBetweenTest {
    private static NetworkSpec tiny(int size, int... filters) {
        return CfgParser.parse(TinyModels.yolo(size, filters), "tiny.cfg");
    }

    @Test
    void keptFiltersPerLayerFromTwoNetworks() throws Exception {
        NetworkSpec before = tiny(64, 8, 16, 16);
        NetworkSpec after = tiny(64, 4, 8, 16);
        assertNull(PruneReport.topologyDifference(before, after));
        PruneReport r = PruneReport.between(before, after);
        assertEquals(8 + 16 + 16 + 75, r.total().filtersBefore());
        assertEquals(4 + 8 + 16 + 75, r.total().filtersAfter());
        assertEquals(before.totalParams(), r.total().paramsBefore());
        assertEquals(after.totalParams(), r.total().paramsAfter());
        assertEquals(4, r.layers().get(0).filtersAfter());
        assertEquals(8, r.layers().get(1).filtersAfter());
        byte[] png = r.keptChannelsPng();
        assertTrue(png.length > 1000 && png[1] == 'P');
    }

    @Test
    void otherTopologiesAreNotCompressedVersions() {
        NetworkSpec base = tiny(64, 8, 16, 16);
        assertTrue(PruneReport.topologyDifference(base, tiny(64, 8, 16)).contains("layers"));
        assertTrue(PruneReport.topologyDifference(base, tiny(96, 8, 16, 16)).contains("layer 0"));
        assertThrows(IllegalArgumentException.class, () -> PruneReport.between(base, tiny(64, 8, 16)));
    }
}
