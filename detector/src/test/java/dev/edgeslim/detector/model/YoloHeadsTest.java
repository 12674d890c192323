package dev.edgeslim.detector.model;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.postprocess.YoloHead;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class YoloHeadsTest {
    @Test
    void yolov4TinyHeads() throws Exception {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        List<YoloHead> heads = YoloHeads.of(spec);
        assertEquals(2, heads.size());
        YoloHead coarse = heads.get(0);
        assertEquals(13, coarse.gridHeight());
        assertEquals(13, coarse.gridWidth());
        assertEquals(80, coarse.classes());
        // mask = 3,4,5 of anchors 10,14, 23,27, 37,58, 81,82, 135,169, 344,319
        assertArrayEquals(new float[] {81f, 135f, 344f}, coarse.anchorWidths());
        assertArrayEquals(new float[] {82f, 169f, 319f}, coarse.anchorHeights());
        assertEquals(1.05f, coarse.scaleXY());
        assertEquals(416, coarse.inputWidth());
        assertEquals(255 * 13 * 13, coarse.outputLength());
        YoloHead fine = heads.get(1);
        assertEquals(26, fine.gridHeight());
        assertArrayEquals(new float[] {23f, 37f, 81f}, fine.anchorWidths()); // mask = 1,2,3

        List<YoloHead> resized = YoloHeads.of(spec.withInputSize(320, 256));
        assertEquals(8, resized.get(0).gridHeight());
        assertEquals(10, resized.get(0).gridWidth());
        assertEquals(320, resized.get(0).inputWidth());
        assertEquals(256, resized.get(0).inputHeight());
    }

    @Test
    void rejectsNonYoloLayer() throws Exception {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        assertThrows(IllegalArgumentException.class, () -> YoloHeads.of(spec, 0));
    }
}
