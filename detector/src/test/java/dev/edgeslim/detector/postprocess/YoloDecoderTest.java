package dev.edgeslim.detector.postprocess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class YoloDecoderTest {
    static final int GRID_H = 2;
    static final int GRID_W = 3;
    static final int CLASSES = 3;
    static final int NET_W = 96;
    static final int NET_H = 64;
    static final float[] ANCHOR_W = {10f, 23f};
    static final float[] ANCHOR_H = {14f, 27f};

    static YoloHead head(float scaleXY) {
        return new YoloHead(GRID_H, GRID_W, CLASSES, ANCHOR_W, ANCHOR_H, scaleXY, NET_W, NET_H);
    }

    static float logit(double p) {
        return (float) Math.log(p / (1 - p));
    }

    /** All anchors "empty" (objectness logit -20). */
    static float[] background(YoloHead head) {
        float[] logits = new float[head.outputLength()];
        for (int cell = 0; cell < head.gridHeight() * head.gridWidth(); cell++) {
            for (int a = 0; a < head.numAnchors(); a++) {
                logits[cell * head.channels() + a * head.valuesPerAnchor() + 4] = -20f;
            }
        }
        return logits;
    }

    /** Writes one anchor's values at (row, col, anchor) using darknet's channel = a*(5+C)+e, NHWC. */
    static void put(float[] logits, YoloHead head, int row, int col, int anchor, float... values) {
        int base = (row * head.gridWidth() + col) * head.channels() + anchor * head.valuesPerAnchor();
        System.arraycopy(values, 0, logits, base, values.length);
    }

    @ParameterizedTest
    @ValueSource(floats = {1.0f, 1.05f, 2.0f})
    void decodesKnownBoxAtKnownCellAndAnchor(float scaleXY) {
        YoloHead head = head(scaleXY);
        float[] logits = background(head);
        int row = 1;
        int col = 2;
        int anchor = 1;
        put(logits, head, row, col, anchor,
                logit(0.25), logit(0.75), (float) Math.log(2.0), (float) Math.log(0.5),
                logit(0.9), logit(0.1), logit(0.8), logit(0.1));

        List<Detection> out = new YoloDecoder(0.25f).decode(head, logits);

        assertEquals(1, out.size(), () -> "got " + out);
        Detection d = out.get(0);
        assertEquals(1, d.classId());
        assertEquals(0.9 * 0.8, d.score(), 1e-5);
        double shift = (scaleXY - 1) / 2;
        double cx = (col + 0.25 * scaleXY - shift) / GRID_W * NET_W;
        double cy = (row + 0.75 * scaleXY - shift) / GRID_H * NET_H;
        double w = 2.0 * ANCHOR_W[anchor];
        double h = 0.5 * ANCHOR_H[anchor];
        assertEquals(cx - w / 2, d.x1(), 1e-3);
        assertEquals(cy - h / 2, d.y1(), 1e-3);
        assertEquals(cx + w / 2, d.x2(), 1e-3);
        assertEquals(cy + h / 2, d.y2(), 1e-3);
    }

    /** darknet's new_coords=1: values are sigmoid outputs already; x = (v*2 - 0.5 + col)/W, w = (2v)^2 * anchor. */
    @Test
    void newCoordsDecodesWithoutSigmoidOrExp() {
        YoloHead head = new YoloHead(GRID_H, GRID_W, CLASSES, ANCHOR_W, ANCHOR_H, 2.0f, NET_W, NET_H, true);
        float[] values = new float[head.outputLength()];
        int row = 1;
        int col = 2;
        int anchor = 1;
        put(values, head, row, col, anchor, 0.25f, 0.75f, 0.7f, 0.3f, 0.9f, 0.1f, 0.8f, 0.1f);

        List<Detection> out = new YoloDecoder(0.25f).decode(head, values);

        assertEquals(1, out.size(), () -> "got " + out);
        Detection d = out.get(0);
        assertEquals(1, d.classId());
        assertEquals(0.9 * 0.8, d.score(), 1e-5);
        double cx = (col + 0.25 * 2 - 0.5) / GRID_W * NET_W;
        double cy = (row + 0.75 * 2 - 0.5) / GRID_H * NET_H;
        double w = 4 * 0.7 * 0.7 * ANCHOR_W[anchor];
        double h = 4 * 0.3 * 0.3 * ANCHOR_H[anchor];
        assertEquals(cx - w / 2, d.x1(), 1e-3);
        assertEquals(cy - h / 2, d.y1(), 1e-3);
        assertEquals(cx + w / 2, d.x2(), 1e-3);
        assertEquals(cy + h / 2, d.y2(), 1e-3);
        // the classic decoding of the same numbers differs
        assertNotEquals(d, new YoloDecoder(0.25f).decode(head(2.0f), values).stream().findFirst().orElse(null));
    }

    @Test
    void scaleXYLetsCentreLeaveItsCell() {
        YoloHead head = head(2.0f);
        float[] logits = background(head);
        // sigmoid(tx) -> 0: x = col + 0*2 - 0.5, half a cell left of the cell's edge
        put(logits, head, 0, 1, 0, -30f, 0f, 0f, 0f, 10f, 10f, -10f, -10f);
        Detection d = new YoloDecoder(0.5f).decode(head, logits).get(0);
        assertEquals((1 - 0.5) / GRID_W * NET_W, d.centerX(), 1e-3);
        assertEquals((0 + 0.5 * 2 - 0.5) / GRID_H * NET_H, d.centerY(), 1e-3);
    }

    @Test
    void perClassByDefaultBestClassOnlyOnRequest() {
        YoloHead head = head(1f);
        float[] logits = background(head);
        put(logits, head, 0, 0, 0, 0f, 0f, 0f, 0f, logit(0.9), logit(0.8), logit(0.05), logit(0.6));

        List<Detection> perClass = new YoloDecoder(0.25f).decode(head, logits);
        assertEquals(2, perClass.size());
        assertEquals(0, perClass.get(0).classId());
        assertEquals(0.72, perClass.get(0).score(), 1e-5);
        assertEquals(2, perClass.get(1).classId());
        assertEquals(0.54, perClass.get(1).score(), 1e-5);
        assertEquals(perClass.get(0).x1(), perClass.get(1).x1());

        List<Detection> best = new YoloDecoder(0.25f, true).decode(head, logits);
        assertEquals(1, best.size());
        assertEquals(0, best.get(0).classId());
        assertEquals(0.72, best.get(0).score(), 1e-5);
    }

    @Test
    void thresholdIsInclusive() {
        YoloHead head = head(1f);
        float[] logits = background(head);
        // objectness sigmoid(40) == 1.0f, class sigmoid(0) == 0.5f exactly: score exactly 0.5
        put(logits, head, 1, 1, 0, 0f, 0f, 0f, 0f, 40f, 0f, -40f, -40f);
        assertEquals(1, new YoloDecoder(0.5f).decode(head, logits).size());
        assertEquals(0.5f, new YoloDecoder(0.5f).decode(head, logits).get(0).score());
        assertEquals(0, new YoloDecoder(Math.nextUp(0.5f)).decode(head, logits).size());
    }

    @Test
    void lowObjectnessYieldsNothing() {
        YoloHead head = head(1f);
        float[] logits = background(head);
        put(logits, head, 0, 2, 1, 0f, 0f, 0f, 0f, logit(0.2), 10f, 10f, 10f);
        assertTrue(new YoloDecoder(0.25f).decode(head, logits).isEmpty());
        assertEquals(3, new YoloDecoder(0.1f).decode(head, logits).size());
    }

    @Test
    void decodesOneImageOfABatchAtAnOffset() {
        YoloHead head = head(1.05f);
        float[] first = background(head);
        float[] second = background(head);
        put(second, head, 1, 0, 1, 0.3f, -0.2f, 0.1f, 0.4f, 3f, -3f, 2f, -3f);
        float[] batch = new float[2 * head.outputLength()];
        System.arraycopy(first, 0, batch, 0, first.length);
        System.arraycopy(second, 0, batch, first.length, second.length);

        List<Detection> fromBatch = new ArrayList<Detection>();
        new YoloDecoder(0.3f).decode(head, batch, head.outputLength(), fromBatch);
        assertEquals(new YoloDecoder(0.3f).decode(head, second), fromBatch);
        assertEquals(1, fromBatch.size());

        List<Detection> none = new ArrayList<Detection>();
        new YoloDecoder(0.3f).decode(head, batch, 0, none);
        assertTrue(none.isEmpty());
        assertThrows(IllegalArgumentException.class,
                () -> new YoloDecoder(0.3f).decode(head, batch, head.outputLength() + 1, none));
    }

    @Test
    void rejectsWrongLength() {
        YoloHead head = head(1f);
        assertThrows(IllegalArgumentException.class,
                () -> new YoloDecoder(0.25f).decode(head, new float[head.outputLength() - 1]));
    }

    @Test
    void dequantizedInt8LogitsDecodeLikeFloats() {
        YoloHead head = head(1.05f);
        float[] logits = background(head);
        put(logits, head, 1, 2, 0, 0.5f, -0.5f, 0.25f, -0.25f, 2.5f, 1.5f, -1f, 0.5f);
        float scale = 0.125f;
        int zeroPoint = 10;
        byte[] q = Quantization.quantize(logits, scale, zeroPoint, true);
        float[] back = Quantization.dequantize(q, scale, zeroPoint, true);
        // these logits are multiples of 1/8 inside the int8 range: exact round trip, except -20 which clamps
        for (int i = 0; i < logits.length; i++) {
            float expected = logits[i] == -20f ? scale * (-128 - zeroPoint) : logits[i];
            assertEquals(expected, back[i], 0f, "index " + i);
        }
        assertEquals(new YoloDecoder(0.25f).decode(head, logits), new YoloDecoder(0.25f).decode(head, back));
    }

    @Test
    void headValidatesItsNumbers() {
        assertThrows(IllegalArgumentException.class,
                () -> new YoloHead(2, 2, 3, new float[] {1f}, new float[] {1f, 2f}, 1f, 32, 32));
        assertThrows(IllegalArgumentException.class,
                () -> new YoloHead(2, 2, 3, new float[] {1f}, new float[] {0f}, 1f, 32, 32));
        assertThrows(IllegalArgumentException.class,
                () -> new YoloHead(2, 2, 3, new float[] {1f}, new float[] {1f}, 0.5f, 32, 32));
        assertThrows(IllegalArgumentException.class,
                () -> new YoloHead(0, 2, 3, new float[] {1f}, new float[] {1f}, 1f, 32, 32));
        YoloHead h = new YoloHead(4, 5, 3, new float[] {1f, 2f}, new float[] {3f, 4f}, 1f, 32, 32);
        assertEquals(4 * 5 * 2 * 8, h.outputLength());
        assertEquals(16, h.channels());
    }
}
