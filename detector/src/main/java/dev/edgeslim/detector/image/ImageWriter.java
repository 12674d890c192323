package dev.edgeslim.detector.image;

import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

/**
 * Writes images atomically in the format named by the file extension ({@code .jpg}/{@code .jpeg},
 * {@code .png}, {@code .bmp}): OpenCV encodes to memory, {@link AtomicFiles} puts the bytes on disk.
 */
public final class ImageWriter {
    /** JPEG quality for written images (OpenCV's default is 95 too). */
    public static final int JPEG_QUALITY = 95;

    private ImageWriter() {
    }

    public static void write(RgbImage image, Path file) throws IOException {
        try (Mat bgr = image.toBgrMat()) {
            write(bgr, file);
        }
    }

    /** Writes a BGR Mat. */
    public static void write(Mat bgr, Path file) throws IOException {
        AtomicFiles.writeBytes(file, encode(bgr, extensionOf(file)));
    }

    /** Encodes a BGR Mat; {@code extension} like ".png" or ".jpg" (JPEG at {@link #JPEG_QUALITY}). */
    public static byte[] encode(Mat bgr, String extension) {
        return encode(bgr, extension, JPEG_QUALITY);
    }

    /** Encodes a BGR Mat; {@code jpegQuality} (0..100) applies when {@code extension} is ".jpg" or ".jpeg". */
    public static byte[] encode(Mat bgr, String extension, int jpegQuality) {
        boolean jpeg = extension.equals(".jpg") || extension.equals(".jpeg");
        try (BytePointer buffer = new BytePointer()) {
            boolean ok;
            if (jpeg) {
                try (IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, jpegQuality)) {
                    ok = imencode(extension, bgr, buffer, params);
                }
            } else {
                ok = imencode(extension, bgr, buffer);
            }
            if (!ok) {
                throw new IllegalStateException("OpenCV could not encode a " + bgr.cols() + "x" + bgr.rows()
                        + " image as " + extension);
            }
            byte[] bytes = new byte[Math.toIntExact(buffer.limit())];
            buffer.get(bytes);
            return bytes;
        }
    }

    private static String extensionOf(Path file) {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot);
        if (ext.equals(".jpg") || ext.equals(".jpeg") || ext.equals(".png") || ext.equals(".bmp")) {
            return ext;
        }
        throw new BadInputException(file, "cannot write an image with extension '" + ext
                + "' (use .jpg, .jpeg, .png or .bmp)");
    }
}
