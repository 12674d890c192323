package dev.edgeslim.detector.postprocess;

import dev.edgeslim.detector.model.ResizeMode;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DetectorTest {
    static final int NET = 64;
    static final int IMG_W = 200;
    static final int IMG_H = 100; // letterbox: scale 0.32, 64x32 at dy = 16
    static final YoloHead COARSE = new YoloHead(2, 2, 2, new float[] {20f, 40f}, new float[] {20f, 30f}, 1f, NET, NET);
    static final YoloHead FINE = new YoloHead(4, 4, 2, new float[] {8f, 16f}, new float[] {8f, 16f}, 1.05f, NET, NET);

    static float logit(double p) {
        return (float) Math.log(p / (1 - p));
    }

    /** A model whose outputs are fixed logits and which checks that it is fed the letterboxed image. */
    static final class FakeModel implements RawModel {
        final float[] expectedInput;
        int calls;

        FakeModel(float[] expectedInput) {
            this.expectedInput = expectedInput;
        }

        @Override
        public float[][] run(float[] input, int batch) {
            calls++;
            assertArrayEquals(expectedInput, input, 0f, "model input is not the letterboxed image");
            float[] coarse = YoloDecoderTest.background(COARSE);
            float[] fine = YoloDecoderTest.background(FINE);
            // coarse cell (row 1, col 0): centre (16, 48) in the 64x64 input
            YoloDecoderTest.put(coarse, COARSE, 1, 0, 1, 0f, 0f, 0f, 0f, logit(0.95), logit(0.9), logit(0.01));
            YoloDecoderTest.put(coarse, COARSE, 1, 0, 0, 0f, 0f, 0f, 0f, logit(0.8), logit(0.01), logit(0.9));
            // fine near-duplicate of the first box, lower score: cell (3, 1) with sigmoid -> 0, so the centre is
            // shifted by scale_x_y to ((1 - 0.025) * 16, (3 - 0.025) * 16) = (15.6, 47.6); size 40x30
            YoloDecoderTest.put(fine, FINE, 3, 1, 1, -40f, -40f, (float) Math.log(2.5), (float) Math.log(30.0 / 16),
                    logit(0.9), logit(0.7), logit(0.01));
            // fine box entirely in the grey border above the image (y 4..12): dropped after mapping
            YoloDecoderTest.put(fine, FINE, 0, 3, 0, 0f, 0f, 0f, 0f, logit(0.99), logit(0.01), logit(0.99));
            // fine class-1 box at centre (40, 40), 8x8
            YoloDecoderTest.put(fine, FINE, 2, 2, 0, 0f, 0f, 0f, 0f, logit(0.75), logit(0.01), logit(0.8));
            return new float[][] {coarse, fine};
        }
    }

    static byte[] image() {
        byte[] rgb = new byte[IMG_W * IMG_H * 3];
        new Random(5).nextBytes(rgb);
        return rgb;
    }

    static int[] argb(byte[] rgb) {
        int[] out = new int[rgb.length / 3];
        for (int i = 0; i < out.length; i++) {
            out[i] = 0xFF000000 | ((rgb[3 * i] & 0xFF) << 16) | ((rgb[3 * i + 1] & 0xFF) << 8) | (rgb[3 * i + 2] & 0xFF);
        }
        return out;
    }

    static void assertBox(Detection d, int cls, double score, double x1, double y1, double x2, double y2) {
        assertEquals(cls, d.classId(), d::toString);
        assertEquals(score, d.score(), 1e-5, d::toString);
        assertEquals(x1, d.x1(), 0.05, d::toString);
        assertEquals(y1, d.y1(), 0.05, d::toString);
        assertEquals(x2, d.x2(), 0.05, d::toString);
        assertEquals(y2, d.y2(), 0.05, d::toString);
    }

    @Test
    void letterboxDecodeMapBackAndNms() {
        byte[] rgb = image();
        FakeModel model = new FakeModel(InputTransform.letterboxTensor(rgb, IMG_W, IMG_H, NET, NET));
        Detector detector = new Detector(model, Arrays.asList(COARSE, FINE), ResizeMode.LETTERBOX, DetectorOptions.defaults(),
                Arrays.asList("cat", "dog"));

        List<Detection> found = detector.detect(rgb, IMG_W, IMG_H);

        assertEquals(1, model.calls);
        assertEquals(3, found.size(), found::toString);
        // image = (net - offset) / 0.32, clipped: net box [-4, 33, 36, 63] -> [0, 53.125, 112.5, 100]
        assertBox(found.get(0), 0, 0.95 * 0.9, 0, 53.125, 112.5, 100);
        assertEquals("cat", found.get(0).className());
        // net [6, 38, 26, 58]: same place, other class, survives class-wise NMS
        assertBox(found.get(1), 1, 0.8 * 0.9, 18.75, 68.75, 81.25, 100);
        assertEquals("dog", found.get(1).className());
        // net [36, 36, 44, 44]
        assertBox(found.get(2), 1, 0.75 * 0.8, 112.5, 62.5, 137.5, 87.5);
    }

    @Test
    void argbInputGivesTheSameDetections() {
        byte[] rgb = image();
        FakeModel model = new FakeModel(InputTransform.letterboxTensor(rgb, IMG_W, IMG_H, NET, NET));
        Detector detector = new Detector(model, Arrays.asList(COARSE, FINE), ResizeMode.LETTERBOX, DetectorOptions.defaults());
        List<Detection> fromBytes = detector.detect(rgb, IMG_W, IMG_H);
        List<Detection> fromInts = detector.detect(argb(rgb), IMG_W, IMG_H);
        assertEquals(fromBytes, fromInts);
        assertNull(fromBytes.get(0).className());
        assertEquals(2, model.calls);
    }

    @Test
    void optionsChangeTheResult() {
        byte[] rgb = image();
        FakeModel model = new FakeModel(InputTransform.letterboxTensor(rgb, IMG_W, IMG_H, NET, NET));
        List<YoloHead> heads = Arrays.asList(COARSE, FINE);
        DetectorOptions base = DetectorOptions.defaults();

        assertEquals(2, new Detector(model, heads, ResizeMode.LETTERBOX, base.withMaxDetections(2)).detect(rgb, IMG_W, IMG_H).size());
        // the two overlapping boxes of different classes have IoU 0.37: agnostic NMS at 0.3 merges them
        List<Detection> agnostic = new Detector(model, heads, ResizeMode.LETTERBOX, base.withClassAgnosticNms(true).withIouThreshold(0.3f))
                .detect(rgb, IMG_W, IMG_H);
        assertEquals(2, agnostic.size());
        assertEquals(0, agnostic.get(0).classId());
        // without NMS (IoU threshold 1) the fine duplicate of the first box shows up:
        // net [-4.4, 32.6, 35.6, 62.6] -> image [0, 51.875, 111.25, 100]
        List<Detection> noNms = new Detector(model, heads, ResizeMode.LETTERBOX, base.withIouThreshold(1f)).detect(rgb, IMG_W, IMG_H);
        assertEquals(4, noNms.size(), noNms::toString);
        assertBox(noNms.get(2), 0, 0.9 * 0.7, 0, 51.875, 111.25, 100);
        // a high threshold keeps only the best box
        assertEquals(1, new Detector(model, heads, ResizeMode.LETTERBOX, base.withConfThreshold(0.8f)).detect(rgb, IMG_W, IMG_H).size());
    }

    @Test
    void rejectsMismatchedModelsAndHeads() {
        byte[] rgb = image();
        RawModel oneOutput = (input, batch) -> new float[][] {new float[COARSE.outputLength()]};
        Detector detector = new Detector(oneOutput, Arrays.asList(COARSE, FINE), ResizeMode.LETTERBOX, DetectorOptions.defaults());
        assertThrows(IllegalStateException.class, () -> detector.detect(rgb, IMG_W, IMG_H));

        RawModel shortOutput = (input, batch) -> new float[][] {new float[3], new float[FINE.outputLength()]};
        assertThrows(IllegalStateException.class, () -> new Detector(shortOutput, Arrays.asList(COARSE, FINE),
                ResizeMode.LETTERBOX, DetectorOptions.defaults()).detect(rgb, IMG_W, IMG_H));

        YoloHead otherInput = new YoloHead(2, 2, 2, new float[] {1f}, new float[] {1f}, 1f, 32, 32);
        assertThrows(IllegalArgumentException.class,
                () -> new Detector(oneOutput, Arrays.asList(COARSE, otherInput), ResizeMode.LETTERBOX, DetectorOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> new Detector(oneOutput, Arrays.asList(COARSE),
                ResizeMode.LETTERBOX, DetectorOptions.defaults(), Arrays.asList("only one name")));
    }
}
