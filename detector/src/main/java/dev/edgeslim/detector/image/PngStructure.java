package dev.edgeslim.detector.image;

/**
 * A structural check of a PNG byte stream without decoding it: the first chunk must be IHDR (which gives the size)
 * and the chunks must run, whole, up to IEND. A PNG cut after its last IDAT still decodes "successfully" in libpng,
 * so this is how an incomplete file is noticed; and the size is known before anything is allocated. Chunk CRCs are
 * left to the decoder.
 */
final class PngStructure {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    /** Chunk bytes besides its data: length (4), type (4), CRC (4). */
    private static final int CHUNK_OVERHEAD = 12;

    final int width;
    final int height;

    private PngStructure(int width, int height) {
        this.width = width;
        this.height = height;
    }

    static boolean looksLikePng(byte[] b) {
        if (b.length < SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (b[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /** Parses the stream; throws {@link IllegalArgumentException} with a short reason when it is broken. */
    static PngStructure parse(byte[] b) {
        int n = b.length;
        long i = SIGNATURE.length;
        int width = -1;
        int height = -1;
        while (true) {
            if (i + 8 > n) {
                throw new IllegalArgumentException("truncated PNG (no IEND chunk)");
            }
            int at = (int) i;
            long length = uint32(b, at);
            String type = new String(b, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (width < 0) {
                if (!type.equals("IHDR") || length < 13) {
                    throw new IllegalArgumentException("corrupt PNG (first chunk is not IHDR)");
                }
                if (at + 16 > n) {
                    throw new IllegalArgumentException("truncated PNG (header cut off)");
                }
                long w = uint32(b, at + 8);
                long h = uint32(b, at + 12);
                if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("corrupt PNG (header declares " + w + "x" + h + ")");
                }
                width = (int) w;
                height = (int) h;
            }
            long end = i + CHUNK_OVERHEAD + length;
            if (end > n) {
                throw new IllegalArgumentException("truncated PNG (chunk cut off)");
            }
            i = end;
            if (type.equals("IEND")) {
                return new PngStructure(width, height);
            }
        }
    }

    private static long uint32(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }
}
