package dev.edgeslim.detector.image;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.LimitProperty;
import org.bytedeco.opencv.opencv_core.Mat;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Loads image files (JPEG, PNG, BMP, GIF, TIFF) safely; the one image reader of the project (inference, drawing and
 * datasets alike). Before any pixel is decoded it checks that the file exists and is not oversized, reads the
 * declared width and height from the header (JPEG: {@link JpegStructure}'s marker walk, PNG: {@link PngStructure}'s
 * chunk walk, both of which also reject truncated files, which the decoders would fill with grey and accept; other
 * formats: javax.imageio, which reads only the header) and refuses images over the pixel limit, so a "JPEG bomb" is
 * a clear {@link BadInputException} instead of an OutOfMemoryError. Pixels are then decoded by OpenCV
 * ({@code imdecode}): {@link #loadBgr} keeps OpenCV's BGR Mat, {@link #load} converts to RGB.
 *
 * <p>EXIF orientation is ignored on purpose: annotations (VOC, darknet labels) refer to the stored pixel grid,
 * and darknet ignores it too.
 *
 * <p>Limits, overridable with system properties: {@code edgeslim.limit.maxImagePixels} (default 50 megapixels)
 * and {@code edgeslim.limit.maxImageBytes} (file size, default 256 MiB). These constants are the project's only
 * image limits (VOC annotations declaring an image size are checked against {@link #DEFAULT_MAX_PIXELS} too).
 */
public final class ImageLoader {
    /** Most pixels an image (declared in its header or in an annotation) may have. */
    public static final long DEFAULT_MAX_PIXELS = LimitProperty.get("maxImagePixels", 50_000_000L);
    /** Largest image file read. */
    public static final long DEFAULT_MAX_BYTES = LimitProperty.get("maxImageBytes", 256L << 20);

    private final long maxPixels;
    private final long maxBytes;

    public ImageLoader() {
        this(DEFAULT_MAX_PIXELS, DEFAULT_MAX_BYTES);
    }

    public ImageLoader(long maxPixels, long maxBytes) {
        if (maxPixels <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxPixels = maxPixels;
        this.maxBytes = Math.min(maxBytes, Integer.MAX_VALUE - 16);
    }

    /** A width and height read from a file header. */
    public record ImageSize(int width, int height) {
        public long pixels() {
            return (long) width * height;
        }
    }

    /** Loads {@code file} with the default limits. */
    public static RgbImage read(Path file) {
        return new ImageLoader().load(file);
    }

    /** Loads an image file as RGB. Throws {@link BadInputException} naming the file on any problem. */
    public RgbImage load(Path file) {
        try (Mat bgr = loadBgr(file)) {
            return RgbImage.fromMat(bgr);
        }
    }

    /**
     * Loads an image file as an OpenCV BGR {@code CV_8UC3} Mat (for OpenCV-based processing, e.g. training data);
     * the caller closes it. EXIF orientation is ignored: boxes refer to the stored pixels.
     */
    public Mat loadBgr(Path file) {
        byte[] bytes = readChecked(file);
        ImageSize declared = declaredSize(bytes, file);
        Mat bgr;
        try (Mat buffer = new Mat(1, bytes.length, CV_8UC1)) {
            buffer.data().put(bytes, 0, bytes.length);
            bgr = imdecode(buffer, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION);
        } catch (RuntimeException e) {
            // OpenCV reports decoder failures as org.bytedeco...opencv_core.CvException / RuntimeException
            throw new BadInputException(file, "not a readable image (" + e.getMessage() + ")", e);
        }
        if (bgr == null || bgr.isNull() || bgr.empty()) {
            if (bgr != null) {
                bgr.close();
            }
            throw new BadInputException(file, "not a readable image (corrupt or truncated data)");
        }
        if (bgr.cols() != declared.width() || bgr.rows() != declared.height() || bgr.type() != CV_8UC3) {
            String got = bgr.cols() + "x" + bgr.rows();
            bgr.close();
            throw new BadInputException(file, "not a readable image (header says " + declared.width() + "x"
                    + declared.height() + ", decoded " + got + ")");
        }
        return bgr;
    }

    /** The image size declared by the file's header, checked against the limits, without decoding pixels. */
    public ImageSize probe(Path file) {
        return declaredSize(readChecked(file), file);
    }

    private byte[] readChecked(Path file) {
        if (!Files.exists(file)) {
            throw new BadInputException(file, "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file, "not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new BadInputException(file, "file is not readable (permission denied)");
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw new BadInputException(file, "not a readable image (empty file)");
            }
            if (size > maxBytes) {
                throw new BadInputException(file, "image file of " + size + " bytes exceeds the limit of " + maxBytes
                        + " (raise with -Dedgeslim.limit.maxImageBytes)");
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > maxBytes) { // grew while we looked
                throw new BadInputException(file, "image file exceeds the limit of " + maxBytes + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read file (" + e.getMessage() + ")", e);
        }
    }

    private ImageSize declaredSize(byte[] bytes, Path file) {
        ImageSize size;
        if (JpegStructure.looksLikeJpeg(bytes)) {
            size = walkedSize(() -> {
                JpegStructure jpeg = JpegStructure.parse(bytes);
                return new ImageSize(jpeg.width, jpeg.height);
            }, file);
        } else if (PngStructure.looksLikePng(bytes)) {
            size = walkedSize(() -> {
                PngStructure png = PngStructure.parse(bytes);
                return new ImageSize(png.width, png.height);
            }, file);
        } else {
            size = imageIoHeaderSize(bytes, file);
        }
        if (size.width() <= 0 || size.height() <= 0) {
            throw new BadInputException(file, "not a readable image (declared size " + size.width() + "x"
                    + size.height() + ")");
        }
        if (size.pixels() > maxPixels) {
            throw new BadInputException(file, "image declares " + size.width() + "x" + size.height() + " = "
                    + size.pixels() + " pixels, over the limit of " + maxPixels
                    + " (raise with -Dedgeslim.limit.maxImagePixels)");
        }
        return size;
    }

    /** Runs a structure walk, turning its complaint into a {@link BadInputException} about {@code file}. */
    private static ImageSize walkedSize(java.util.function.Supplier<ImageSize> walk, Path file) {
        try {
            return walk.get();
        } catch (IllegalArgumentException e) {
            // the reason comes first ("truncated JPEG (...)") so a skipped dataset sample reads well
            throw new BadInputException(file, e.getMessage() + ": not a readable image");
        }
    }

    /** Width and height via the first javax.imageio reader that recognises the bytes; reads the header only. */
    private static ImageSize imageIoHeaderSize(byte[] bytes, Path file) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadInputException(file, "not a readable image (unknown format; expected JPEG, PNG, BMP, "
                        + "GIF or TIFF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new ImageSize(reader.getWidth(0), reader.getHeight(0));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException bad) {
                throw bad;
            }
            throw new BadInputException(file, "not a readable image (bad header: " + e.getMessage() + ")", e);
        }
    }
}
