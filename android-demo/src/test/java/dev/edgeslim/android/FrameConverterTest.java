package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.Letterbox;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;

import static org.bytedeco.opencv.global.opencv_core.ROTATE_180;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_YUV2RGB_I420;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_YUV2RGB_NV21;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FrameConverter} against OpenCV's {@code cvtColor} on camera-like frames of the app's real sample pictures
 * (640x480, 480x640, 800x450): every pixel within 1 per channel, for NV21 and for YUV_420_888 planes with padded
 * rows, semi-planar (pixel stride 2) and planar (1); rotations and mirroring against OpenCV's {@code rotate}/
 * {@code flip}.
 */
class FrameConverterTest {

    @Test
    void nv21MatchesOpenCvOnRealPictures() {
        for (BufferedImage img : TestModels.sampleImages()) {
            YuvFrames f = YuvFrames.of(img);
            byte[] nv21 = f.nv21();
            byte[] expected = opencv(nv21, f.width, f.height, COLOR_YUV2RGB_NV21, -1, false);
            FrameConverter c = new FrameConverter();
            int[] argb = c.convertNv21(nv21, f.width, f.height, 0, false);
            int diff = assertClose(expected, argb, f.width, f.height, c);
            System.out.printf("NV21 %dx%d: max difference to cvtColor %d%n", f.width, f.height, diff);
        }
    }

    @Test
    void yuv420888PlanesWithStridesMatchOpenCv() {
        for (BufferedImage img : TestModels.sampleImages()) {
            YuvFrames f = YuvFrames.of(img);
            byte[] expected = opencv(f.i420, f.width, f.height, COLOR_YUV2RGB_I420, -1, false);
            // semi-planar with row padding (the common camera layout) and planar with its own padding
            int[][] layouts = {{f.width + 64, f.width + 64, 2}, {f.width + 32, f.width / 2 + 16, 1}};
            for (int[] l : layouts) {
                YuvFrames.Planes p = f.planes(l[0], l[1], l[2]);
                FrameConverter c = new FrameConverter();
                int[] argb = c.convertYuv420(p.y, p.yRowStride, p.u, p.v, p.uvRowStride, p.uvPixelStride, f.width,
                        f.height, 0, false);
                int diff = assertClose(expected, argb, f.width, f.height, c);
                System.out.printf("YUV_420_888 %dx%d strides Y %d UV %d/%d: max difference %d%n", f.width, f.height,
                        l[0], l[1], l[2], diff);
                assertEquals(0, p.y.position(), "the converter reads absolutely");
            }
        }
    }

    @Test
    void rotationsAndMirrorMatchOpenCv() {
        BufferedImage img = TestModels.sampleImages().get(2); // 800x450: not square, so swapped axes show
        YuvFrames f = YuvFrames.of(img);
        byte[] nv21 = f.nv21();
        int[] rotations = {0, 90, 180, 270};
        int[] codes = {-1, ROTATE_90_CLOCKWISE, ROTATE_180, ROTATE_90_COUNTERCLOCKWISE};
        FrameConverter c = new FrameConverter();
        for (int i = 0; i < rotations.length; i++) {
            for (boolean mirror : new boolean[] {false, true}) {
                byte[] expected = opencv(nv21, f.width, f.height, COLOR_YUV2RGB_NV21, codes[i], mirror);
                int[] argb = c.convertNv21(nv21, f.width, f.height, rotations[i], mirror);
                boolean swap = rotations[i] % 180 != 0;
                assertEquals(swap ? f.height : f.width, c.width());
                assertEquals(swap ? f.width : f.height, c.height());
                assertClose(expected, argb, c.width(), c.height(), c);
            }
        }
    }

    /**
     * After the first frame, converting and letterboxing a frame allocates nothing: measured by the JVM's
     * per-thread allocation counter over 20 frames.
     */
    @Test
    void convertingAndLetterboxingAFrameAllocatesNothingAfterWarmUp() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        BufferedImage img = TestModels.sampleImages().get(0);
        YuvFrames f = YuvFrames.of(img);
        byte[] nv21 = f.nv21();
        YuvFrames.Planes p = f.planes(f.width + 64, f.width + 64, 2);
        FrameConverter c = new FrameConverter();
        Letterbox box = Letterbox.of(f.height, f.width, 320, 320);
        float[] tensor = new float[box.tensorLength()];
        long id = Thread.currentThread().getId();
        long allocated = 0;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 20; i++) {
                box.toTensor(c.convertNv21(nv21, f.width, f.height, 90, false), tensor);
                box.toTensor(c.convertYuv420(p.y, p.yRowStride, p.u, p.v, p.uvRowStride, p.uvPixelStride, f.width,
                        f.height, 270, true), tensor);
            }
            allocated = threads.getThreadAllocatedBytes(id) - before;
            System.out.printf("round %d: 40 frames of 640x480 converted and letterboxed to 320x320, %.1f ms a frame,"
                    + " %d bytes allocated%n", round, (System.nanoTime() - start) / 40e6, allocated);
        }
        assertEquals(0, allocated, "bytes allocated by 40 frames after warm-up");
    }

    @Test
    void badFramesAreRefusedWithTheReason() {
        FrameConverter c = new FrameConverter();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.convertNv21(new byte[100], 640, 480, 0, false));
        assertEquals("an NV21 frame of 640x480 needs 460800 bytes, got 100", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> c.convertNv21(new byte[460800], 640, 480, 45, false));
        assertEquals("rotation must be 0, 90, 180 or 270 degrees, got 45", e.getMessage());
    }

    /** OpenCV's conversion, then its rotation ({@code rotateCode} -1: none) and left-right flip. RGB bytes. */
    private static byte[] opencv(byte[] yuv, int width, int height, int code, int rotateCode, boolean mirror) {
        try (Mat src = YuvFrames.mat(yuv, height * 3 / 2, width); Mat rgb = new Mat(); Mat rotated = new Mat();
             Mat flipped = new Mat()) {
            cvtColor(src, rgb, code);
            Mat out = rgb;
            if (rotateCode >= 0) {
                rotate(rgb, rotated, rotateCode);
                out = rotated;
            }
            if (mirror) {
                flip(out, flipped, 1);
                out = flipped;
            }
            byte[] bytes = new byte[(int) (out.total() * 3)];
            out.data().get(bytes);
            return bytes;
        }
    }

    /** Every channel of every pixel within 1; returns the largest difference seen. */
    private static int assertClose(byte[] expectedRgb, int[] argb, int width, int height, FrameConverter c) {
        assertEquals(width, c.width());
        assertEquals(height, c.height());
        assertEquals(expectedRgb.length, 3 * width * height);
        int max = 0;
        for (int i = 0; i < width * height; i++) {
            for (int ch = 0; ch < 3; ch++) {
                int e = expectedRgb[3 * i + ch] & 0xFF;
                int a = (argb[i] >> (16 - 8 * ch)) & 0xFF;
                int d = Math.abs(e - a);
                if (d > 1) {
                    throw new AssertionError("pixel (" + (i % width) + ", " + (i / width) + ") channel " + ch
                            + ": OpenCV " + e + ", converter " + a);
                }
                max = Math.max(max, d);
            }
            assertEquals(0xFF, argb[i] >>> 24, "opaque");
        }
        return max;
    }
}
