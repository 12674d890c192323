package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.SmallTextFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * darknet's label files: where an image's labels are, and what a label line says.
 *
 * <p>Where: darknet's rule ({@code replace_image_to_label}): in the image path {@code /JPEGImages/} and then
 * {@code /images/} become {@code /labels/}, and the image extension ({@code .jpg .jpeg .png .bmp .ppm .tif .tiff},
 * any case) becomes {@code .txt}; so {@code data/obj/1.jpg} has {@code data/obj/1.txt} and
 * {@code VOC2007/JPEGImages/1.jpg} has {@code VOC2007/labels/1.txt}. An image without a label file is a background
 * image (no objects), as in darknet.
 *
 * <p>What: one object a line, {@code class cx cy w h}: a class id below the class count, then the box centre and size
 * as fractions of the image width and height, each a finite number within [0, 1]. Anything else is refused naming the
 * file and line. A box of zero width or height is skipped and counted; a box reaching over the border is clipped to
 * the image (darknet clips too when it builds its training targets).
 */
public final class DarknetLabels {
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".tif",
            ".tiff");

    /** The objects of one label file, and how many zero-area boxes it skipped. */
    public record Parsed(List<VocObject> objects, int zeroArea) {
    }

    private DarknetLabels() {
    }

    /** The label file of {@code image} by darknet's rule; null when the image has no known image extension. */
    public static Path labelPath(Path image) {
        String s = image.toString();
        s = s.replaceFirst(java.util.regex.Pattern.quote("/JPEGImages/"), "/labels/");
        s = s.replaceFirst(java.util.regex.Pattern.quote("/images/"), "/labels/");
        String lower = s.toLowerCase(Locale.ROOT);
        for (String ext : IMAGE_EXTENSIONS) {
            if (lower.endsWith(ext)) {
                return Path.of(s.substring(0, s.length() - ext.length()) + ".txt");
            }
        }
        return null;
    }

    /** Reads {@code file}, whose boxes are relative to a {@code width} x {@code height} image. */
    public static Parsed read(Path file, VocClasses classes, int width, int height) {
        String text = SmallTextFile.read(file, DataLimits.MAX_ANNOTATION_BYTES, "a darknet label file");
        List<VocObject> objects = new ArrayList<>();
        int zeroArea = 0;
        int lineNumber = 0;
        for (String raw : text.split("\r?\n", -1)) {
            lineNumber++;
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length != 5) {
                throw new BadInputException(file, lineNumber, f.length + " fields, expected 5: class cx cy w h");
            }
            int classId;
            try {
                classId = Integer.parseInt(f[0]);
            } catch (NumberFormatException e) {
                throw new BadInputException(file, lineNumber, "class id '" + SafePaths.printable(f[0])
                        + "' is not a whole number");
            }
            if (classId < 0 || classId >= classes.size()) {
                throw new BadInputException(file, lineNumber, "class id " + classId + " is not below the "
                        + classes.size() + " classes");
            }
            double[] v = new double[4];
            String[] what = {"cx", "cy", "w", "h"};
            for (int i = 0; i < 4; i++) {
                try {
                    v[i] = Double.parseDouble(f[i + 1]);
                } catch (NumberFormatException e) {
                    throw new BadInputException(file, lineNumber, what[i] + " '" + SafePaths.printable(f[i + 1])
                            + "' is not a number");
                }
                if (!(v[i] >= 0 && v[i] <= 1)) { // also NaN
                    throw new BadInputException(file, lineNumber, what[i] + " " + f[i + 1]
                            + " is not within [0, 1] (darknet labels are fractions of the image size)");
                }
            }
            if (objects.size() >= DataLimits.MAX_OBJECTS) {
                throw new BadInputException(file, lineNumber, "more than " + DataLimits.MAX_OBJECTS + " objects");
            }
            if (v[2] == 0 || v[3] == 0) {
                zeroArea++;
                continue;
            }
            double left = Math.max(0, toPixels(v[0] - v[2] / 2, width));
            double right = Math.min(width, toPixels(v[0] + v[2] / 2, width));
            double top = Math.max(0, toPixels(v[1] - v[3] / 2, height));
            double bottom = Math.min(height, toPixels(v[1] + v[3] / 2, height));
            if (!(right > left) || !(bottom > top)) {
                zeroArea++;
                continue;
            }
            // VOC's 1-based inclusive pixels of the continuous box [left, right]; at least one pixel wide
            double x1 = left + 1;
            double y1 = top + 1;
            objects.add(new VocObject(classId, classes.name(classId), x1, y1, Math.max(x1, right), Math.max(y1, bottom),
                    false, false));
        }
        return new Parsed(objects, zeroArea);
    }

    /**
     * A fraction of the image side in pixels, rounded to a millionth of a pixel. A box written as center and size
     * fractions comes back with about 1e-10 pixel of rounding (71.99999999998 for 72); rounded, the boxes of a
     * VOCdevkit and of its darknet twin are the same numbers, and so are trainings on them, step for step.
     */
    static double toPixels(double fraction, int side) {
        return Math.round(fraction * side * 1e6) / 1e6;
    }

    /** The label line of a VOC object in a {@code width} x {@code height} image: the inverse of {@link #read}. */
    public static String line(VocObject o, int width, int height) {
        double cx = (o.left() + o.right()) / 2 / width;
        double cy = (o.top() + o.bottom()) / 2 / height;
        return String.format(Locale.ROOT, "%d %.12f %.12f %.12f %.12f", o.classId(), cx, cy, o.width() / width,
                o.height() / height);
    }
}
