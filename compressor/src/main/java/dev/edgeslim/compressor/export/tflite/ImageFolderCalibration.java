package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.io.BadInputException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Calibration images from a folder (jpg, jpeg, png, bmp; not recursive), decoded with OpenCV and letterboxed
 * ({@link Letterbox}). With more images than wanted, an evenly spaced selection of the name-sorted list is
 * used, so the choice is deterministic and not just the first files. Images are read when asked for.
 */
public final class ImageFolderCalibration implements CalibrationSource {
    /** Largest image file read (a guard against mistaken or hostile inputs). */
    public static final long MAX_IMAGE_BYTES = 64L << 20;
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");

    private final List<Path> files;

    /** Lists {@code dir} and keeps up to {@code maxImages} images. */
    public ImageFolderCalibration(Path dir, int maxImages) {
        if (maxImages < 1) {
            throw new IllegalArgumentException("maxImages must be positive");
        }
        List<Path> all;
        try (Stream<Path> list = Files.list(dir)) {
            all = list.filter(Files::isRegularFile).filter(ImageFolderCalibration::isImage).sorted().toList();
        } catch (IOException e) {
            throw new BadInputException(dir, "cannot list calibration images: " + e.getMessage());
        }
        if (all.isEmpty()) {
            throw new BadInputException(dir, "no calibration images (" + String.join(", ", EXTENSIONS) + ") in this folder");
        }
        int n = Math.min(maxImages, all.size());
        List<Path> chosen = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chosen.add(all.get((int) ((long) i * all.size() / n)));
        }
        this.files = List.copyOf(chosen);
    }

    static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    public List<Path> files() {
        return files;
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public float[] image(int index, int width, int height) {
        Path file = files.get(index);
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_IMAGE_BYTES) {
                throw new BadInputException(file, "image is " + size + " bytes, more than the limit " + MAX_IMAGE_BYTES);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read image: " + e.getMessage());
        }
        try (BytePointer data = new BytePointer(bytes);
             Mat encoded = new Mat(1, bytes.length, CV_8U, data);
             Mat bgr = imdecode(encoded, IMREAD_COLOR)) {
            if (bgr == null || bgr.empty()) {
                throw new BadInputException(file, "not a decodable image");
            }
            return Letterbox.fromBgr(bgr, width, height);
        }
    }
}
