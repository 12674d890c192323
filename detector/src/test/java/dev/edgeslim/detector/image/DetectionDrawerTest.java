package dev.edgeslim.detector.image;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.postprocess.Detection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectionDrawerTest {
    @TempDir
    Path dir;

    static RgbImage grey(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        Arrays.fill(rgb, (byte) 128);
        return new RgbImage(w, h, rgb);
    }

    List<String> filesInDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void drawsBoxesInClassColoursAndWritesPngAtomically() throws IOException {
        RgbImage image = grey(160, 120);
        List<Detection> dets = Arrays.asList(
                new Detection(0, "person", 0.91f, 20f, 40f, 70f, 110f),
                new Detection(5, "bus", 0.5f, 90f, 60f, 150f, 100f));
        Path out = dir.resolve("out.png");
        new DetectionDrawer().drawAndWrite(image, dets, out);

        assertEquals(List.of("out.png"), filesInDir(), "temp file left behind");
        RgbImage loaded = ImageLoader.read(out);
        assertEquals(160, loaded.width());
        assertEquals(120, loaded.height());
        // left edge of each box (below its label) has the class colour; far away the image is untouched
        assertEquals(DetectionDrawer.colorOf(0), loaded.pixel(20, 90));
        assertEquals(DetectionDrawer.colorOf(5), loaded.pixel(90, 90));
        assertEquals(DetectionDrawer.colorOf(5), loaded.pixel(150, 80));
        assertEquals(0x808080, loaded.pixel(45, 80)); // inside the first box
        assertEquals(0x808080, loaded.pixel(5, 5));
        assertEquals(0x808080, loaded.pixel(120, 115));
        // the input image itself is not modified
        assertEquals(0x808080, image.pixel(20, 90));
        // a label was drawn above the first box
        int labelPixels = 0;
        for (int y = 20; y < 40; y++) {
            for (int x = 20; x < 60; x++) {
                if (loaded.pixel(x, y) != 0x808080) {
                    labelPixels++;
                }
            }
        }
        assertTrue(labelPixels > 100, "label area has " + labelPixels + " drawn pixels");
    }

    @Test
    void writesReadableJpegAndReplacesExistingFile() throws IOException {
        Path out = dir.resolve("result.jpg");
        Files.writeString(out, "old contents");
        new DetectionDrawer().drawAndWrite(grey(64, 64), List.of(new Detection(2, 0.7f, 5f, 5f, 40f, 50f)), out);
        assertEquals(List.of("result.jpg"), filesInDir());
        RgbImage loaded = ImageLoader.read(out);
        assertEquals(64, loaded.width());
        // a 1-pixel line is smeared by JPEG chroma subsampling: check it is visible, and the rest is still grey
        assertTrue(distance(loaded.pixel(5, 45), 0x808080) > 60, Integer.toHexString(loaded.pixel(5, 45)));
        assertTrue(distance(loaded.pixel(55, 58), 0x808080) < 12, Integer.toHexString(loaded.pixel(55, 58)));
    }

    @Test
    void unsupportedExtensionIsRefusedAndWritesNothing() throws IOException {
        Path out = dir.resolve("result.gifx");
        BadInputException e = assertThrows(BadInputException.class,
                () -> new DetectionDrawer().drawAndWrite(grey(8, 8), List.of(), out));
        assertTrue(e.getMessage().contains("result.gifx"), e.getMessage());
        assertEquals(List.of(), filesInDir());
    }

    @Test
    void boxesOutsideTheImageAreClippedNotFatal() {
        RgbImage drawn = new DetectionDrawer().draw(grey(50, 40),
                List.of(new Detection(1, "x\u00e9", 0.3f, -100f, -100f, 500f, 500f)));
        assertEquals(DetectionDrawer.colorOf(1), drawn.pixel(0, 39));
        assertEquals(DetectionDrawer.colorOf(1), drawn.pixel(49, 20));
    }

    static int distance(int a, int b) {
        return Math.abs(((a >> 16) & 0xFF) - ((b >> 16) & 0xFF)) + Math.abs(((a >> 8) & 0xFF) - ((b >> 8) & 0xFF))
                + Math.abs((a & 0xFF) - (b & 0xFF));
    }

    @Test
    void classColoursAreDistinct() {
        Set<Integer> colours = new HashSet<>();
        for (int c = 0; c < 80; c++) {
            colours.add(DetectionDrawer.colorOf(c));
        }
        assertEquals(80, colours.size());
        for (int c = 0; c < 20; c++) {
            int a = DetectionDrawer.colorOf(c);
            int b = DetectionDrawer.colorOf(c + 1);
            assertTrue(distance(a, b) > 100, "classes " + c + " and " + (c + 1) + " look alike");
        }
        assertNotEquals(DetectionDrawer.colorOf(0), 0x808080);
        assertFalse(colours.contains(0x808080));
    }
}
