package dev.edgeslim.detector.train.loss;

import dev.edgeslim.detector.train.loss.YoloTargets.Assignment;
import dev.edgeslim.detector.train.loss.YoloTargets.Box;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class YoloTargetsTest {
    // a box with anchor 1's shape (8x6 px of 32) centred in column 2, row 1 of head 0's 4x4 grid
    private static final Box ANCHOR1_BOX = new Box(2.5 / 4, 1.5 / 4, 8.0 / 32, 6.0 / 32, 1);

    private static YoloTargets.Batch build(double iouThresh, List<List<Box>> images) {
        return new YoloTargets(TinyHeads.heads(iouThresh), YoloTargets.Options.defaults()).build(images);
    }

    private static Set<Integer> anchorsAssigned(YoloTargets.HeadTargets t) {
        return t.assignments().stream().map(Assignment::anchor).collect(Collectors.toSet());
    }

    @Test
    void boxWithAnAnchorsShapeIsAssignedToExactlyThatAnchorAndCell() {
        YoloTargets.Batch batch = build(1.0, List.of(List.of(ANCHOR1_BOX), List.of()));
        YoloTargets.HeadTargets small = batch.heads().get(0);
        assertEquals(List.of(new Assignment(0, 1, 2, 1, 0)), small.assignments());
        assertEquals(1, small.responsibleCount());
        int i = small.index(0, 1, 2, 1);
        assertEquals(1f, small.objMask()[i]);
        assertArrayEquals(new float[] {0.625f, 0.375f, 0.25f, 0.1875f},
                java.util.Arrays.copyOfRange(small.boxes(), 4 * i, 4 * i + 4));
        assertArrayEquals(new float[] {0f, 1f}, java.util.Arrays.copyOfRange(small.classTargets(), 2 * i, 2 * i + 2));
        assertEquals(1f, small.boxWeight()[i]);
        assertEquals(0, batch.heads().get(1).responsibleCount());
    }

    @Test
    void iouThreshAddsEveryAnchorAboveIt() {
        // shape IoUs of an 8x6 box with the anchors: (4,4) 16/48 = 0.333, (8,6) 1, (6,10) 36/72 = 0.5,
        // (12,12) 48/144 = 0.333, (16,24) 48/384 = 0.125, (28,28) 48/784 = 0.061
        List<List<Box>> images = List.of(List.of(ANCHOR1_BOX));
        YoloTargets.Batch t04 = build(0.4, images);
        assertEquals(Set.of(1, 2), anchorsAssigned(t04.heads().get(0)));
        assertEquals(0, t04.heads().get(1).responsibleCount());
        // at 0.3 anchor 0 joins, and head 1's anchor 3 (its mask position 0) although the best anchor is not
        // in head 1: darknet's iou_thresh rule is per layer, independent of where the best anchor lives
        YoloTargets.Batch t03 = build(0.3, images);
        assertEquals(Set.of(0, 1, 2), anchorsAssigned(t03.heads().get(0)));
        // head 1 cell: column floor(0.625*2) = 1, row floor(0.375*2) = 0
        assertEquals(List.of(new Assignment(0, 0, 1, 0, 0)), t03.heads().get(1).assignments());
        for (Assignment a : t03.heads().get(0).assignments()) {
            assertEquals(1, a.gridY());
            assertEquals(2, a.gridX());
        }
    }

    @Test
    void boxWhoseBestAnchorIsInAnotherHeadIsNotAssignedHere() {
        // 28x28 px: best anchor 5 (IoU 1), which is head 1's mask position 2
        Box large = new Box(0.3, 0.8, 28.0 / 32, 28.0 / 32, 0);
        YoloTargets.Batch batch = build(1.0, List.of(List.of(), List.of(large)));
        assertEquals(0, batch.heads().get(0).responsibleCount());
        assertEquals(List.of(new Assignment(1, 1, 0, 2, 0)), batch.heads().get(1).assignments());
        // with yolov4's 0.213, anchor 4 (16x24: IoU 384/784 = 0.49) joins in head 1; head 0's best is
        // (6,10): 60/784 = 0.077, still nothing there
        YoloTargets.Batch loose = build(0.213, List.of(List.of(), List.of(large)));
        assertEquals(0, loose.heads().get(0).responsibleCount());
        assertEquals(Set.of(1, 2), anchorsAssigned(loose.heads().get(1)));
    }

    @Test
    void paddedTruthsLabelSmoothingAndSizeWeights() {
        YoloTargets targets = new YoloTargets(TinyHeads.heads(1.0), new YoloTargets.Options(0.1, true));
        Box second = new Box(0.1, 0.9, 4.0 / 32, 4.0 / 32, 0);
        YoloTargets.Batch batch = targets.build(List.of(List.of(ANCHOR1_BOX, second), List.of()));
        assertEquals(2, batch.maxBoxes());
        assertArrayEquals(new float[] {1, 1, 0, 0}, batch.gtValid());
        assertArrayEquals(new float[] {0.1f, 0.9f, 0.125f, 0.125f},
                java.util.Arrays.copyOfRange(batch.gtBoxes(), 4, 8));
        YoloTargets.HeadTargets small = batch.heads().get(0);
        int i = small.index(0, 1, 2, 1);
        // smoothing 0.1: positive 1 - 0.05, negative 0.05
        assertArrayEquals(new float[] {0.05f, 0.95f}, java.util.Arrays.copyOfRange(small.classTargets(), 2 * i, 2 * i + 2));
        assertEquals((float) (2 - 0.25 * 0.1875), small.boxWeight()[i]);
        // the second box: 4x4 -> anchor 0, cell (col 0, row 3)
        assertEquals(1f, small.objMask()[small.index(0, 3, 0, 0)]);
        // an empty batch still gets one (invalid) padding box for the ignore test
        YoloTargets.Batch empty = targets.build(List.of(List.of()));
        assertEquals(1, empty.maxBoxes());
        assertArrayEquals(new float[] {0}, empty.gtValid());
    }

    @Test
    void centreOnTheFarEdgeUsesTheLastCellAndCollisionsMergeClasses() {
        Box edge = new Box(1.0, 1.0, 8.0 / 32, 6.0 / 32, 0);
        Box same = new Box(1.0, 1.0, 8.0 / 32, 6.0 / 32, 1);
        YoloTargets.HeadTargets small = build(1.0, List.of(List.of(edge, same))).heads().get(0);
        assertEquals(1, small.responsibleCount());
        int i = small.index(0, 3, 3, 1);
        assertEquals(1f, small.objMask()[i]);
        assertArrayEquals(new float[] {1f, 1f}, java.util.Arrays.copyOfRange(small.classTargets(), 2 * i, 2 * i + 2));
        assertEquals(2, small.assignments().size());
    }

    @Test
    void rejectsBadBoxes() {
        assertThrows(IllegalArgumentException.class, () -> new Box(0.5, 0.5, 0, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Box(1.5, 0.5, 0.1, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> build(1.0, List.of(List.of(new Box(0.5, 0.5, 0.1, 0.1, 2)))));
    }
}
