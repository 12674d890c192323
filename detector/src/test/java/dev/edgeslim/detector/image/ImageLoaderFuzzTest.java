package dev.edgeslim.detector.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.FuzzFiles;
import dev.edgeslim.detector.fuzz.InputContract;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.file.Path;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes image loading (header walk for JPEG/PNG, javax.imageio headers for BMP/GIF/TIFF, then OpenCV's decoders)
 * with a 4-megapixel limit, so a bomb is an over-limit refusal rather than a long decode.
 * Fuzzing: {@code .ci/fuzz 2m ImageLoaderFuzzTest#loadImage}.
 */
class ImageLoaderFuzzTest {
    static final long MAX_PIXELS = 4_000_000;
    private static final ImageLoader LOADER = new ImageLoader(MAX_PIXELS, 1 << 20);

    /** An image decodes to exactly the size its header declares (within the limit) or is refused. */
    @FuzzTest(maxDuration = "3m")
    void loadImage(byte[] input) throws Exception {
        Path file = FuzzFiles.write("fuzz.img", input);
        Mat bgr = InputContract.valueOrRefusal(file.toString(), () -> LOADER.loadBgr(file));
        if (bgr == null) {
            return;
        }
        try (bgr) {
            ImageLoader.ImageSize declared = LOADER.probe(file);
            assertEquals(declared.width(), bgr.cols());
            assertEquals(declared.height(), bgr.rows());
            assertEquals(CV_8UC3, bgr.type());
            assertTrue(declared.pixels() <= MAX_PIXELS);
        }
    }
}
