package dev.edgeslim.detector.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Guards the single files a command writes: an existing file is replaced only when it looks like an earlier
 * output of the same kind (a .tflite model over a .tflite model, an image over an image), or when the user asks
 * with {@code --force}. Anything else (a text file handed as {@code --out MODEL.tflite} by mistake, a symlink) is
 * refused before any work starts and left as it was.
 */
public final class OutputFiles {
    /** How many leading bytes a {@link Kind} sees: enough for every header below, cheap for large files. */
    static final int HEAD_BYTES = 4096;

    private static final Pattern VOC_LINE = Pattern.compile("\\S+ [-0-9.eE]+ [-0-9.eE]+ [-0-9.eE]+ [-0-9.eE]+ [-0-9.eE]+");

    /** A kind of output file, recognised from its first bytes. */
    public record Kind(String description, Predicate<byte[]> recognises) {
    }

    /** A TFLite flatbuffer: file identifier "TFL3" at byte 4. */
    public static final Kind TFLITE = new Kind("a TFLite model",
            head -> head.length >= 8 && new String(head, 4, 4, StandardCharsets.US_ASCII).equals("TFL3"));

    /** A darknet cfg: its first section is [net] or [network]. */
    public static final Kind DARKNET_CFG = new Kind("a darknet cfg", OutputFiles::isDarknetCfg);

    /** Darknet weights: a version header of small numbers (text or an image would give huge ones). */
    public static final Kind DARKNET_WEIGHTS = new Kind("darknet weights", OutputFiles::isDarknetWeights);

    /** A JPEG or PNG image. */
    public static final Kind IMAGE = new Kind("a JPEG or PNG image", head -> isJpeg(head) || isPng(head));

    /** A PNG image (charts). */
    public static final Kind PNG = new Kind("a PNG image", OutputFiles::isPng);

    /** A JSON object (EdgeSlim's reports). */
    public static final Kind JSON = new Kind("a JSON report", head -> text(head).stripLeading().startsWith("{"));

    /** A markdown report: EdgeSlim's start with a heading or a table row. */
    public static final Kind MARKDOWN = new Kind("a markdown report", head -> {
        String t = text(head).stripLeading();
        return t.startsWith("#") || t.startsWith("|");
    });

    /** A VOC devkit results file: lines of "image score x1 y1 x2 y2", or empty. */
    public static final Kind VOC_RESULTS = new Kind("a VOC results file", head -> {
        String t = text(head);
        String first = t.lines().findFirst().orElse("");
        return first.isEmpty() || VOC_LINE.matcher(first).matches();
    });

    private OutputFiles() {
    }

    /**
     * Refuses to go on when writing {@code file} would replace something that is not an earlier output of
     * {@code kind} and {@code force} is off; a folder is never replaced. Nothing is written here.
     */
    public static void checkReplaceable(Path file, Kind kind, boolean force) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException(file, "output path is a folder; give a file name");
        }
        if (force) {
            return;
        }
        boolean regular = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
        if (!regular || !kind.recognises().test(head(file))) {
            throw new BadInputException(file, "exists and is not " + kind.description()
                    + " (not an earlier output); use --force to replace it");
        }
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(HEAD_BYTES);
        }
    }

    private static String text(byte[] head) {
        return new String(head, StandardCharsets.UTF_8);
    }

    private static boolean isJpeg(byte[] h) {
        return h.length >= 3 && (h[0] & 0xff) == 0xff && (h[1] & 0xff) == 0xd8 && (h[2] & 0xff) == 0xff;
    }

    private static boolean isPng(byte[] h) {
        return h.length >= 8 && (h[0] & 0xff) == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G';
    }

    private static boolean isDarknetCfg(byte[] head) {
        for (String line : (Iterable<String>) text(head).lines()::iterator) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
                continue;
            }
            return t.equals("[net]") || t.equals("[network]");
        }
        return false;
    }

    private static boolean isDarknetWeights(byte[] head) {
        if (head.length < 16) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int major = b.getInt();
        int minor = b.getInt();
        int revision = b.getInt();
        return major >= 0 && major < 1000 && minor >= 0 && minor < 1000 && revision >= 0 && revision < 1000;
    }
}
