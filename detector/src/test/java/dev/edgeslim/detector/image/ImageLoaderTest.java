package dev.edgeslim.detector.image;

import dev.edgeslim.detector.io.BadInputException;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageLoaderTest {
    @TempDir
    Path dir;

    /** A smooth colourful gradient (JPEG-friendly) with a few distinct blocks. */
    static RgbImage gradient(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int k = 3 * (y * w + x);
                rgb[k] = (byte) (x * 255 / (w - 1));
                rgb[k + 1] = (byte) (y * 255 / (h - 1));
                rgb[k + 2] = (byte) (x < w / 2 ? 40 : 210);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    static RgbImage random(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }

    /** Encodes with OpenCV, independent of ImageWriter. */
    static byte[] encode(RgbImage image, String ext) {
        try (Mat bgr = image.toBgrMat()) {
            return ImageWriter.encode(bgr, ext);
        }
    }

    Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static BadInputException assertBad(Path file, String expectedFragment, Runnable action) {
        BadInputException e = assertThrows(BadInputException.class, action::run);
        assertTrue(e.getMessage().contains(file.toString()), () -> "message does not name the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedFragment),
                () -> "message lacks '" + expectedFragment + "': " + e.getMessage());
        return e;
    }

    @Test
    void pngLoadsExactly() throws IOException {
        RgbImage original = random(37, 23, 1);
        Path png = file("random.png", encode(original, ".png"));
        RgbImage loaded = ImageLoader.read(png);
        assertEquals(37, loaded.width());
        assertEquals(23, loaded.height());
        assertArrayEquals(original.rgb(), loaded.rgb());
        assertEquals(new ImageLoader.ImageSize(37, 23), new ImageLoader().probe(png));
    }

    @Test
    void jpegLoadsWithRightSizeAndColoursInRgbOrder() throws IOException {
        RgbImage original = gradient(64, 48);
        Path jpg = file("gradient.jpg", encode(original, ".jpg"));
        RgbImage loaded = ImageLoader.read(jpg);
        assertEquals(64, loaded.width());
        assertEquals(48, loaded.height());
        long sum = 0;
        for (int i = 0; i < original.rgb().length; i++) {
            sum += Math.abs((original.rgb()[i] & 0xFF) - (loaded.rgb()[i] & 0xFF));
        }
        double mean = sum / (double) original.rgb().length;
        assertTrue(mean < 2.0, "mean abs error " + mean);
        // an independent decoder (javax.imageio) sees the same pixels up to decoder rounding
        java.awt.image.BufferedImage reference = javax.imageio.ImageIO.read(jpg.toFile());
        int max = 0;
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                int a = reference.getRGB(x, y) & 0xFFFFFF;
                int b = loaded.pixel(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    max = Math.max(max, Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF)));
                }
            }
        }
        assertTrue(max <= 4, "max difference to javax.imageio's decoding " + max);
        // channel order: the right half has blue 210, the left 40; red grows to the right
        int right = loaded.pixel(60, 24);
        assertTrue((right & 0xFF) > 180 && ((right >> 16) & 0xFF) > 200, Integer.toHexString(right));
        int left = loaded.pixel(3, 24);
        assertTrue((left & 0xFF) < 70 && ((left >> 16) & 0xFF) < 40, Integer.toHexString(left));
    }

    @Test
    void greyPngBecomesRgb() throws IOException {
        byte[] grey = new byte[20 * 10];
        new Random(2).nextBytes(grey);
        byte[] png;
        try (Mat m = new Mat(10, 20, org.bytedeco.opencv.global.opencv_core.CV_8UC1)) {
            m.data().put(grey, 0, grey.length);
            png = ImageWriter.encode(m, ".png");
        }
        RgbImage loaded = ImageLoader.read(file("grey.png", png));
        for (int i = 0; i < grey.length; i++) {
            int g = grey[i] & 0xFF;
            assertEquals((g << 16) | (g << 8) | g, loaded.pixel(i % 20, i / 20));
        }
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("nope.jpg");
        assertBad(missing, "no such file", () -> ImageLoader.read(missing));
    }

    @Test
    void directoryIsNotAnImage() {
        assertBad(dir, "not a regular file", () -> ImageLoader.read(dir));
    }

    @Test
    void textFileRenamedJpg() throws IOException {
        Path fake = file("notes.jpg", "this is not an image\n".getBytes());
        assertBad(fake, "not a readable image", () -> ImageLoader.read(fake));
        Path empty = file("empty.png", new byte[0]);
        assertBad(empty, "not a readable image", () -> ImageLoader.read(empty));
    }

    @Test
    void truncatedJpeg() throws IOException {
        byte[] full = encode(gradient(64, 48), ".jpg");
        for (double keep : new double[] {0.9, 0.6, 0.3, 0.05}) {
            Path cut = file("cut" + keep + ".jpg", Arrays.copyOf(full, (int) (full.length * keep)));
            assertBad(cut, "not a readable image", () -> ImageLoader.read(cut));
        }
        Path whole = file("whole.jpg", full);
        assertEquals(64, ImageLoader.read(whole).width());
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] full = encode(random(64, 48, 3), ".png");
        Path cut = file("cut.png", Arrays.copyOf(full, full.length * 2 / 3));
        assertBad(cut, "not a readable image", () -> ImageLoader.read(cut));
        // cut after the image data, only the 12-byte IEND chunk missing: libpng would still decode it
        Path noEnd = file("noend.png", Arrays.copyOf(full, full.length - 12));
        assertBad(noEnd, "truncated PNG", () -> ImageLoader.read(noEnd));
        assertBad(noEnd, "not a readable image", () -> new ImageLoader().probe(noEnd));
        assertEquals(64, ImageLoader.read(file("whole.png", full)).width());
    }

    @Test
    void jpegBombDeclaringHugeSizeIsRefusedBeforeDecoding() throws IOException {
        byte[] jpeg = encode(gradient(32, 16), ".jpg");
        int sof = indexOfMarker(jpeg, 0xC0);
        assertTrue(sof > 0, "no SOF0 in OpenCV's JPEG");
        // SOF0: FF C0, length(2), precision(1), height(2), width(2)
        jpeg[sof + 5] = (byte) (60000 >> 8);
        jpeg[sof + 6] = (byte) 60000;
        jpeg[sof + 7] = (byte) (60000 >> 8);
        jpeg[sof + 8] = (byte) 60000;
        Path bomb = file("bomb.jpg", jpeg);
        BadInputException e = assertBad(bomb, "60000x60000", () -> ImageLoader.read(bomb));
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
        assertBad(bomb, "60000x60000", () -> new ImageLoader().probe(bomb));
    }

    @Test
    void pngBombDeclaringHugeSizeIsRefused() throws IOException {
        byte[] png = encode(random(8, 8, 4), ".png");
        // IHDR data starts after signature(8) + length(4) + type(4); rewrite width/height and fix the CRC
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, 60000);
        b.putInt(20, 60000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 4 + 13);
        b.putInt(29, (int) crc.getValue());
        Path bomb = file("bomb.png", png);
        assertBad(bomb, "60000x60000", () -> ImageLoader.read(bomb));
    }

    @Test
    void configurableLimits() throws IOException {
        Path png = file("small.png", encode(random(40, 30, 5), ".png"));
        assertBad(png, "over the limit of 1000", () -> new ImageLoader(1000, 1 << 20).load(png));
        assertBad(png, "exceeds the limit", () -> new ImageLoader(1_000_000, 100).load(png));
        assertEquals(40, new ImageLoader(1200, 1 << 20).load(png).width());
    }

    @Test
    void rgbImageMatRoundTrip() {
        RgbImage original = random(13, 7, 6);
        try (Mat bgr = original.toBgrMat()) {
            assertEquals(13, bgr.cols());
            assertEquals(7, bgr.rows());
            // OpenCV's Mat is BGR: first byte is the blue of pixel 0
            assertEquals(original.rgb()[2], bgr.data().get(0));
            assertArrayEquals(original.rgb(), RgbImage.fromMat(bgr).rgb());
        }
    }

    static int indexOfMarker(byte[] b, int marker) {
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == marker) {
                return i;
            }
        }
        return -1;
    }
}
