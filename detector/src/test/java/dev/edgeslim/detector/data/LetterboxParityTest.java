package dev.edgeslim.detector.data;

import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.postprocess.InputTransform;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training letterbox ({@link Augmenter#fit}: OpenCV INTER_LINEAR on an 8-bit BGR Mat) and the inference
 * letterbox ({@link InputTransform#toTensor(byte[])}: pure-Java bilinear on RGB bytes, also run on the phone) put the same
 * image at the same place: identical geometry, identical grey padding, and pixels that differ only by OpenCV rounding
 * its 8-bit resize result to whole levels (at most 1/255).
 */
class LetterboxParityTest {

    @ParameterizedTest(name = "{0}x{1} in {2}x{3}")
    @CsvSource({"97, 61, 64, 64", "23, 31, 100, 80", "200, 150, 96, 96", "40, 40, 96, 64", "640, 480, 128, 128",
            "64, 64, 64, 64"})
    void trainingAndInferenceLetterboxAgree(int w, int h, int netW, int netH) {
        Random random = new Random(w * 131L + h);
        byte[] rgb = new byte[w * h * 3];
        random.nextBytes(rgb);
        InputTransform inference = InputTransform.letterbox(w, h, netW, netH);
        float[] expected = inference.toTensor(rgb);

        float[] training = new float[netW * netH * 3];
        InputTransform geometry;
        try (Mat bgr = new Mat(h, w, CV_8UC3)) {
            byte[] bgrBytes = new byte[rgb.length];
            for (int i = 0; i < rgb.length; i += 3) {
                bgrBytes[i] = rgb[i + 2];
                bgrBytes[i + 1] = rgb[i + 1];
                bgrBytes[i + 2] = rgb[i];
            }
            bgr.data().put(bgrBytes, 0, bgrBytes.length);
            geometry = Augmenter.fit(bgr, ResizeMode.LETTERBOX, netW, netH, training, 0);
        }
        assertEquals(inference.newWidth(), geometry.newWidth());
        assertEquals(inference.newHeight(), geometry.newHeight());
        assertEquals(inference.dx(), geometry.dx());
        assertEquals(inference.dy(), geometry.dy());

        float maxDiff = 0f;
        int padding = 0;
        for (int y = 0; y < netH; y++) {
            for (int x = 0; x < netW; x++) {
                boolean inside = x >= inference.dx() && x < inference.dx() + inference.newWidth()
                        && y >= inference.dy() && y < inference.dy() + inference.newHeight();
                for (int c = 0; c < 3; c++) {
                    int i = (y * netW + x) * 3 + c;
                    if (inside) {
                        maxDiff = Math.max(maxDiff, Math.abs(training[i] - expected[i]));
                    } else {
                        padding++;
                        assertEquals(InputTransform.PAD_VALUE, expected[i], 0f, "inference padding at " + x + "," + y);
                        assertEquals(InputTransform.PAD_VALUE, training[i], 0f, "training padding at " + x + "," + y);
                    }
                }
            }
        }
        assertEquals(3L * (netW * netH - inference.newWidth() * inference.newHeight()), padding);
        assertTrue(maxDiff <= 1f / 255f + 1e-4f, "max difference " + maxDiff + " (" + maxDiff * 255 + " levels)");
    }
}
