package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.io.BadInputException;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Calibration images from a folder (jpg, jpeg, png, bmp; not recursive), read by the project's image loader (its
 * size and truncation checks) and fitted to the input as at inference ({@link dev.edgeslim.detector.data.Augmenter#fit}).
 * With more images than wanted, an evenly spaced selection of the name-sorted list is used, so the choice is
 * deterministic and not just the first files. Images are read when asked for.
 */
public final class ImageFolderCalibration implements CalibrationSource {
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");

    private final List<Path> files;
    private final dev.edgeslim.detector.model.ResizeMode resizeMode;

    /** Lists {@code dir} and keeps up to {@code maxImages} images; {@code resizeMode}: the model's input transform. */
    public ImageFolderCalibration(Path dir, int maxImages, dev.edgeslim.detector.model.ResizeMode resizeMode) {
        this.resizeMode = resizeMode;
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
        // the project's one image reader (size limits, truncation checks) and the model's input transform
        try (Mat bgr = new dev.edgeslim.detector.image.ImageLoader().loadBgr(file)) {
            float[] out = new float[width * height * 3];
            dev.edgeslim.detector.data.Augmenter.fit(bgr, resizeMode, width, height, out, 0);
            return out;
        }
    }
}
