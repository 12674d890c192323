package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.model.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CfgRoundTripTest {
    static List<Path> cfgs() {
        return ReferenceFiles.allCfgs();
    }

    @ParameterizedTest
    @MethodSource("cfgs")
    void writeThenParseGivesAnEqualSpec(Path cfg, @TempDir Path tmp) throws Exception {
        NetworkSpec spec = CfgParser.parse(cfg);
        Path written = tmp.resolve("copy.cfg");
        CfgWriter.write(spec, written);
        NetworkSpec back = CfgParser.parse(written);
        assertEquals(spec, back);
        // and a second generation is textually stable
        assertEquals(CfgWriter.toText(spec), CfgWriter.toText(back));
    }

    @Test
    void upstreamTotalsAgreeWithDarknet() {
        NetworkSpec v4 = CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg"));
        // darknet / Keras: 64,363,101 trainable parameters (64.4M)
        assertEquals(64.4e6, v4.totalParams(), 64.4e6 * 0.005);
        // darknet prints 128.459 BFLOPs at 608 and 60.137 at 416 (convolutions, max-pools and shortcuts)
        assertEquals(128.459, v4.withInputSize(608, 608).totalFlops() / 1e9, 0.0005);
        assertEquals(60.137, v4.withInputSize(416, 416).totalFlops() / 1e9, 0.0005);
        NetworkSpec tiny = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        assertEquals(6.9, tiny.withInputSize(416, 416).totalFlops() / 1e9, 6.9 * 0.01);
    }

    @Test
    void shapesFollowDarknet() {
        NetworkSpec v4 = CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg")).withInputSize(416, 416);
        List<Integer> heads = v4.yoloLayers();
        assertEquals(3, heads.size());
        assertEquals(52, v4.shapeOf(heads.get(0)).height());
        assertEquals(26, v4.shapeOf(heads.get(1)).height());
        assertEquals(13, v4.shapeOf(heads.get(2)).height());
        assertEquals(255, v4.shapeOf(heads.get(2)).channels());
        NetworkSpec v3tiny = CfgParser.parse(ReferenceFiles.cfg("yolov3-tiny.cfg"));
        // yolov3-tiny's stride-1 2x2 maxpool keeps 13x13 (darknet padding = size-1 placed bottom/right)
        assertTrue(v3tiny.yoloLayers().stream().anyMatch(i -> v3tiny.shapeOf(i).height() == 13));
    }
}
