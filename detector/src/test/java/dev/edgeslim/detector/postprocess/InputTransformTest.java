package dev.edgeslim.detector.postprocess;

import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InputTransformTest {

    @ParameterizedTest(name = "{0}x{1} in {2}x{3}")
    @CsvSource({
            // imgW, imgH, netW, netH, newW, newH, dx, dy
            "640, 480, 416, 416, 416, 312, 0, 52",
            "480, 640, 416, 416, 312, 416, 52, 0",
            "100, 100, 416, 320, 320, 320, 48, 0",
            "333, 100, 416, 416, 416, 124, 0, 146", // darknet truncates 124.9
            "416, 416, 416, 416, 416, 416, 0, 0",
            "5000, 3, 64, 64, 64, 1, 0, 31"})
    void geometry(int imgW, int imgH, int netW, int netH, int newW, int newH, int dx, int dy) {
        InputTransform lb = InputTransform.letterbox(imgW, imgH, netW, netH);
        assertEquals(Math.min(netW / (double) imgW, netH / (double) imgH), lb.scale(), 1e-12);
        assertEquals(newW, lb.newWidth());
        assertEquals(newH, lb.newHeight());
        assertEquals(dx, lb.dx());
        assertEquals(dy, lb.dy());
        // the image corners map as darknet's correct_yolo_boxes maps them: offset (net - new) / 2 in floating point
        assertEquals((netW - newW) / 2.0, lb.toNetworkX(0f), 1e-4);
        assertEquals((netW - newW) / 2.0 + newW, lb.toNetworkX(imgW), 1e-3);
        assertEquals((netH - newH) / 2.0, lb.toNetworkY(0f), 1e-4);
        assertEquals((netH - newH) / 2.0 + newH, lb.toNetworkY(imgH), 1e-3);
    }

    @Test
    void boxMappingRoundTrips() {
        Random random = new Random(7);
        int[][] sizes = {{640, 480, 416, 416}, {375, 500, 416, 416}, {1280, 720, 608, 352}, {50, 80, 320, 320}};
        for (int[] s : sizes) {
            InputTransform lb = InputTransform.letterbox(s[0], s[1], s[2], s[3]);
            for (int k = 0; k < 50; k++) {
                float x1 = random.nextFloat() * s[0];
                float y1 = random.nextFloat() * s[1];
                float x2 = x1 + random.nextFloat() * (s[0] - x1);
                float y2 = y1 + random.nextFloat() * (s[1] - y1);
                Detection inImage = new Detection(3, "dog", 0.7f, x1, y1, x2, y2);
                Detection inNet = lb.toNetwork(inImage);
                Detection back = lb.toImage(inNet);
                assertEquals(x1, back.x1(), 1e-3 * s[0]);
                assertEquals(y1, back.y1(), 1e-3 * s[1]);
                assertEquals(x2, back.x2(), 1e-3 * s[0]);
                assertEquals(y2, back.y2(), 1e-3 * s[1]);
                assertEquals(3, back.classId());
                assertEquals("dog", back.className());
                assertEquals(0.7f, back.score());
            }
        }
    }

    @Test
    void mapsNetworkBoxesToImageAndClips() {
        InputTransform lb = InputTransform.letterbox(640, 480, 416, 416); // scale 0.65, dy 52
        Detection net = new Detection(0, 0.9f, 104f, 52f + 65f, 208f, 52f + 130f);
        Detection img = lb.toImage(net);
        assertEquals(160f, img.x1(), 1e-3);
        assertEquals(100f, img.y1(), 1e-3);
        assertEquals(320f, img.x2(), 1e-3);
        assertEquals(200f, img.y2(), 1e-3);
        // a box reaching into the grey border and beyond the input is clipped to the image
        Detection clipped = lb.toImage(new Detection(0, 0.9f, -30f, 10f, 500f, 400f));
        assertEquals(0f, clipped.x1());
        assertEquals(0f, clipped.y1());
        assertEquals(640f, clipped.x2());
        assertEquals(480f, clipped.y2());
    }

    @Test
    void uniformImageFillsItsRegionAndGreyBorder() {
        int w = 30;
        int h = 10;
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            rgb[3 * i] = (byte) 200;
            rgb[3 * i + 1] = (byte) 10;
            rgb[3 * i + 2] = (byte) 255;
        }
        InputTransform lb = InputTransform.letterbox(w, h, 24, 24); // 24x8 at dy 8
        float[] t = lb.toTensor(rgb);
        assertEquals(24 * 24 * 3, t.length);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 24; x++) {
                int o = (y * 24 + x) * 3;
                boolean inside = y >= 8 && y < 16;
                assertEquals(inside ? 200f / 255f : 0.5f, t[o], 1e-6f, "R at " + x + "," + y);
                assertEquals(inside ? 10f / 255f : 0.5f, t[o + 1], 1e-6f);
                assertEquals(inside ? 1f : 0.5f, t[o + 2], 1e-6f);
            }
        }
    }

    @Test
    void sameSizeIsExactCopyScaledToUnitRange() {
        Random random = new Random(1);
        byte[] rgb = randomRgb(random, 17, 17);
        float[] t = InputTransform.letterboxTensor(rgb, 17, 17, 17, 17);
        for (int i = 0; i < rgb.length; i++) {
            assertEquals((rgb[i] & 0xFF) / 255f, t[i], 0f);
        }
    }

    @ParameterizedTest(name = "{0}x{1} in {2}x{3}")
    @CsvSource({"97, 61, 64, 64", "23, 31, 100, 80", "200, 150, 96, 96", "40, 40, 96, 64"})
    void resamplingMatchesOpenCvInterLinear(int w, int h, int netW, int netH) {
        Random random = new Random(w * 31L + h);
        byte[] rgb = randomRgb(random, w, h);
        InputTransform lb = InputTransform.letterbox(w, h, netW, netH);
        float[] ours = lb.toTensor(rgb);

        float[] expected = new float[lb.tensorLength()];
        java.util.Arrays.fill(expected, 0.5f);
        try (Mat src = new Mat(h, w, CV_32FC3); Mat dst = new Mat(); Size size = new Size(lb.newWidth(), lb.newHeight())) {
            FloatIndexer in = src.createIndexer();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        in.put(y, x, c, (rgb[3 * (y * w + x) + c] & 0xFF) / 255f);
                    }
                }
            }
            resize(src, dst, size, 0, 0, INTER_LINEAR);
            FloatIndexer out = dst.createIndexer();
            for (int y = 0; y < lb.newHeight(); y++) {
                for (int x = 0; x < lb.newWidth(); x++) {
                    for (int c = 0; c < 3; c++) {
                        expected[((y + lb.dy()) * netW + x + lb.dx()) * 3 + c] = out.get(y, x, c);
                    }
                }
            }
            in.close();
            out.close();
        }
        float maxDiff = 0f;
        for (int i = 0; i < ours.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ours[i] - expected[i]));
        }
        assertEquals(0f, maxDiff, 1e-4f, "max difference to cv::resize INTER_LINEAR");
    }

    @Test
    void rgbBytesAndArgbIntsGiveIdenticalTensors() {
        Random random = new Random(42);
        int[][] cases = {{97, 61, 64, 64}, {640, 480, 416, 416}, {31, 200, 96, 128}, {8, 8, 8, 8}};
        for (int[] c : cases) {
            int w = c[0];
            int h = c[1];
            byte[] rgb = randomRgb(random, w, h);
            int[] argb = new int[w * h];
            for (int i = 0; i < argb.length; i++) {
                int alpha = random.nextInt(256); // must be ignored
                argb[i] = (alpha << 24) | ((rgb[3 * i] & 0xFF) << 16) | ((rgb[3 * i + 1] & 0xFF) << 8)
                        | (rgb[3 * i + 2] & 0xFF);
            }
            float[] fromBytes = InputTransform.letterboxTensor(rgb, w, h, c[2], c[3]);
            float[] fromInts = InputTransform.letterboxTensor(argb, w, h, c[2], c[3]);
            assertArrayEquals(fromBytes, fromInts, 0f, "case " + w + "x" + h);

            InputTransform lb = InputTransform.letterbox(w, h, c[2], c[3]);
            assertArrayEquals(lb.toQuantizedTensor(rgb, 1f / 255f, 0, false),
                    lb.toQuantizedTensor(argb, 1f / 255f, 0, false));
        }
    }

    @Test
    void quantizedTensorMatchesQuantizedFloats() {
        Random random = new Random(3);
        byte[] rgb = randomRgb(random, 50, 30);
        InputTransform lb = InputTransform.letterbox(50, 30, 32, 32);
        float[] f = lb.toTensor(rgb);
        byte[] u8 = lb.toQuantizedTensor(rgb, 1f / 255f, 0, false);
        byte[] i8 = lb.toQuantizedTensor(rgb, 1f / 255f, -128, true);
        for (int i = 0; i < f.length; i++) {
            long expected = Math.round(f[i] * 255.0);
            assertEquals(expected, u8[i] & 0xFF, 1, "u8 index " + i);
            assertEquals((u8[i] & 0xFF) - 128, i8[i], "i8 index " + i);
        }
        // the grey border quantizes like 0.5 does (127: the float scale 1/255f is slightly above 1/255)
        assertEquals(Quantization.quantize(new float[] {0.5f}, 1f / 255f, 0, false)[0], u8[0]);
        assertEquals(127, u8[0] & 0xFF);
    }

    @Test
    void unscaledImageQuantizesBackToItsBytes() {
        byte[] rgb = randomRgb(new Random(9), 20, 20);
        assertArrayEquals(rgb, InputTransform.letterbox(20, 20, 20, 20).toQuantizedTensor(rgb, 1f / 255f, 0, false));
    }

    @Test
    void rejectsWrongBufferSizes() {
        assertThrows(IllegalArgumentException.class, () -> InputTransform.letterboxTensor(new byte[10], 2, 2, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> InputTransform.letterboxTensor(new int[3], 2, 2, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> InputTransform.letterbox(0, 2, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> InputTransform.letterbox(2, 2, 4, 4).toTensor(new byte[12], new float[5]));
    }

    static byte[] randomRgb(Random random, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        random.nextBytes(rgb);
        return rgb;
    }
}
