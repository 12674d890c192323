package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CalibrationTest {

    /** Writes a solid-colour PNG (colour given as B, G, R) of the given size. */
    static void png(Path file, int width, int height, int b, int g, int r) throws Exception {
        try (Mat m = new Mat(height, width, CV_8UC3, new Scalar(b, g, r, 0))) {
            byte[] encoded = encode(m);
            Files.write(file, encoded);
        }
    }

    private static byte[] encode(Mat m) {
        try (BytePointer buf = new BytePointer()) {
            imencode(".png", m, buf);
            byte[] bytes = new byte[(int) buf.limit()];
            buf.get(bytes);
            return bytes;
        }
    }

    @Test
    void letterboxKeepsTheAspectRatioCentresAndConvertsToRgb() {
        try (Mat wide = new Mat(10, 20, CV_8UC3, new Scalar(255, 0, 51, 0))) { // B=255, G=0, R=51
            float[] img = new float[16 * 16 * 3];
            dev.edgeslim.detector.data.Augmenter.fit(wide, ResizeMode.LETTERBOX, 16, 16, img, 0); // scaled to 16x8, rows 4..11
            for (int y = 0; y < 16; y++) {
                boolean inside = y >= 4 && y < 12;
                for (int x = 0; x < 16; x++) {
                    int p = (y * 16 + x) * 3;
                    if (inside) {
                        assertEquals(0.2f, img[p], 1e-6f, "R at " + y);
                        assertEquals(0f, img[p + 1], 1e-6f);
                        assertEquals(1f, img[p + 2], 1e-6f);
                    } else {
                        assertEquals(0.5f, img[p], 0f, "grey border at row " + y);
                    }
                }
            }
        }
    }

    @Test
    void aFolderGivesAnEvenlySpacedSelectionOfItsImages(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 6; i++) {
            png(dir.resolve("img" + i + ".png"), 30 + i, 20, 10 * i, 0, 0);
        }
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        ImageFolderCalibration three = new ImageFolderCalibration(dir, 3, ResizeMode.LETTERBOX);
        assertEquals(List.of("img0.png", "img2.png", "img4.png"),
                three.files().stream().map(f -> f.getFileName().toString()).toList());
        float[] img = three.image(1, 32, 32);
        assertEquals(32 * 32 * 3, img.length);
        assertEquals(20 / 255f, img[(16 * 32 + 16) * 3 + 2], 1e-6f, "blue channel of img2 at the centre");
        assertEquals(6, new ImageFolderCalibration(dir, 100, ResizeMode.LETTERBOX).size());

        Files.writeString(dir.resolve("img9.jpg"), "garbage");
        ImageFolderCalibration all = new ImageFolderCalibration(dir, 100, ResizeMode.LETTERBOX);
        BadInputException e = assertThrows(BadInputException.class, () -> all.image(6, 32, 32));
        assertTrue(e.getMessage().contains("img9.jpg"), e.getMessage());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(BadInputException.class, () -> new ImageFolderCalibration(empty, 10, ResizeMode.LETTERBOX));
    }

    @Test
    void percentileRangesAreNarrowerThanMinMax() {
        NetworkSpec spec = TfliteExportParityTest.allFeatures();
        WeightStore weights = WeightInitializer.forTesting(spec, 4);
        SyntheticImages images = new SyntheticImages(8, 3);
        TfliteMetadata minMax = TfliteExporter.export(spec, weights, ExportOptions.int8(images, 3, 100)).metadata();
        TfliteMetadata clipped = TfliteExporter.export(spec, weights, ExportOptions.int8(images, 3, 99)).metadata();
        assertEquals("minmax", minMax.calibration().method());
        assertEquals("percentile", clipped.calibration().method());
        for (int h = 0; h < minMax.heads().size(); h++) {
            double full = minMax.heads().get(h).quantization().scale();
            double narrow = clipped.heads().get(h).quantization().scale();
            assertTrue(narrow < full, "head " + h + ": " + narrow + " vs " + full);
        }
        // the input is not calibrated: x in [0,1] is q = pixel - 128
        assertEquals(new TfliteMetadata.Quantization((float) (1 / 255.0), -128), minMax.input().quantization());
    }
}
