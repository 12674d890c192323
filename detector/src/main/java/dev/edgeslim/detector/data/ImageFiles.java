package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Reads dataset images (JPEG, PNG) into OpenCV BGR matrices, refusing broken files with a clear
 * {@link BadInputException} instead of a silently half-grey picture.
 *
 * <p>Why the structure walk: libjpeg decodes a truncated JPEG "successfully", filling the missing part with
 * grey and printing a warning, so training would quietly learn from damaged images. Before decoding, the file's
 * markers (JPEG) or chunks (PNG) are walked to the end-of-image marker, and the dimensions in the header are
 * checked against {@link DataLimits#MAX_IMAGE_PIXELS} so a decompression bomb is refused before allocation.
 */
public final class ImageFiles {
    /** Width and height read from an image header. */
    public record Header(String format, int width, int height) {
    }

    private ImageFiles() {
    }

    /** Reads, checks and decodes {@code file} as 8-bit BGR (EXIF orientation ignored: boxes refer to stored pixels). */
    public static Mat readBgr(Path file) {
        byte[] bytes = readBytes(file);
        Header header = inspect(file, bytes);
        Mat image;
        try (BytePointer data = new BytePointer(bytes); Mat encoded = new Mat(bytes.length, 1, CV_8UC1, data)) {
            image = imdecode(encoded, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION);
        }
        if (image == null || image.empty()) {
            if (image != null) {
                image.close();
            }
            throw new BadInputException(file, "cannot decode " + header.format() + " image (corrupt data)");
        }
        if (image.cols() != header.width() || image.rows() != header.height() || image.type() != CV_8UC3) {
            String got = image.cols() + "x" + image.rows();
            image.close();
            throw new BadInputException(file, "decoded image is " + got + ", header says " + header.width() + "x"
                    + header.height());
        }
        return image;
    }

    static byte[] readBytes(Path file) {
        try {
            long size = Files.size(file);
            if (size > DataLimits.MAX_IMAGE_BYTES) {
                throw new BadInputException(file, "image file is " + size + " bytes, over the "
                        + DataLimits.MAX_IMAGE_BYTES + "-byte limit (edgeslim.limit.maxImageBytes)");
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > DataLimits.MAX_IMAGE_BYTES) {
                throw new BadInputException(file, "image file grew over the size limit while being read");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new BadInputException(file, "image file does not exist");
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read image: " + e.getMessage());
        }
    }

    /** Identifies the format, checks the file is complete and returns its dimensions. */
    public static Header inspect(Path file, byte[] b) {
        Header h;
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            h = inspectJpeg(file, b);
        } else if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) {
            h = inspectPng(file, b);
        } else {
            throw new BadInputException(file, b.length == 0 ? "image file is empty"
                    : "not a JPEG or PNG image (unrecognised file signature)");
        }
        if (h.width() <= 0 || h.height() <= 0) {
            throw new BadInputException(file, h.format() + " header declares an empty image " + h.width() + "x"
                    + h.height());
        }
        if ((long) h.width() * h.height() > DataLimits.MAX_IMAGE_PIXELS) {
            throw new BadInputException(file, h.format() + " image is " + h.width() + "x" + h.height()
                    + ", over the " + DataLimits.MAX_IMAGE_PIXELS + "-pixel limit (edgeslim.limit.maxImagePixels)");
        }
        return h;
    }

    private static Header inspectJpeg(Path file, byte[] b) {
        int n = b.length;
        int i = 2;
        int width = -1;
        int height = -1;
        while (true) {
            if (i >= n) {
                throw truncated(file, "JPEG");
            }
            if ((b[i] & 0xff) != 0xFF) {
                throw new BadInputException(file, "corrupt JPEG: expected a marker at byte " + i);
            }
            while (i < n && (b[i] & 0xff) == 0xFF) {
                i++; // fill bytes
            }
            if (i >= n) {
                throw truncated(file, "JPEG");
            }
            int marker = b[i++] & 0xff;
            if (marker == 0xD9) {
                break; // end of image
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // standalone markers
            }
            if (marker == 0xD8 || marker == 0x00) {
                throw new BadInputException(file, "corrupt JPEG: unexpected marker 0x" + Integer.toHexString(marker)
                        + " at byte " + (i - 1));
            }
            if (i + 2 > n) {
                throw truncated(file, "JPEG");
            }
            int length = ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
            if (length < 2) {
                throw new BadInputException(file, "corrupt JPEG: segment length " + length + " at byte " + i);
            }
            if (i + length > n) {
                throw truncated(file, "JPEG");
            }
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (startOfFrame) {
                if (length < 7) {
                    throw new BadInputException(file, "corrupt JPEG: short frame header");
                }
                height = ((b[i + 3] & 0xff) << 8) | (b[i + 4] & 0xff);
                width = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
            }
            i += length;
            if (marker == 0xDA) {
                if (width < 0) {
                    throw new BadInputException(file, "corrupt JPEG: image data before the frame header");
                }
                // Entropy-coded data runs until a marker other than a stuffed 0xFF00 or a restart marker.
                while (true) {
                    if (i + 1 >= n) {
                        throw truncated(file, "JPEG");
                    }
                    if ((b[i] & 0xff) == 0xFF) {
                        int next = b[i + 1] & 0xff;
                        if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                            i += 2;
                            continue;
                        }
                        if (next == 0xFF) {
                            i++;
                            continue;
                        }
                        break;
                    }
                    i++;
                }
            }
        }
        if (width < 0) {
            throw new BadInputException(file, "corrupt JPEG: no frame header");
        }
        return new Header("JPEG", width, height);
    }

    private static Header inspectPng(Path file, byte[] b) {
        int n = b.length;
        int i = 8;
        int width = -1;
        int height = -1;
        boolean first = true;
        while (true) {
            if (i + 8 > n) {
                throw truncated(file, "PNG");
            }
            long length = ((long) (b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8)
                    | (b[i + 3] & 0xff);
            String type = new String(b, i + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (length > n) {
                throw truncated(file, "PNG");
            }
            if (first) {
                if (!type.equals("IHDR") || length < 8 || i + 16 > n) {
                    throw new BadInputException(file, "corrupt PNG: first chunk is not IHDR");
                }
                width = (int) (((long) (b[i + 8] & 0xff) << 24) | ((b[i + 9] & 0xff) << 16)
                        | ((b[i + 10] & 0xff) << 8) | (b[i + 11] & 0xff));
                height = (int) (((long) (b[i + 12] & 0xff) << 24) | ((b[i + 13] & 0xff) << 16)
                        | ((b[i + 14] & 0xff) << 8) | (b[i + 15] & 0xff));
                first = false;
            }
            long end = i + 12L + length;
            if (end > n) {
                throw truncated(file, "PNG");
            }
            i = (int) end;
            if (type.equals("IEND")) {
                break;
            }
        }
        return new Header("PNG", width, height);
    }

    private static BadInputException truncated(Path file, String format) {
        return new BadInputException(file, "truncated " + format + " (the file ends before its end-of-image "
                + "marker; it is incomplete)");
    }

    /** Makes an empty 8-bit BGR image; a small helper so callers need not import OpenCV constants. */
    static Mat newBgr(int width, int height) {
        return new Mat(height, width, CV_8UC3);
    }
}
