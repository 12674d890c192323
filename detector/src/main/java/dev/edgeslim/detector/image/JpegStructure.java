package dev.edgeslim.detector.image;

/**
 * A structural check of a JPEG byte stream without decoding it: walks the marker segments from SOI, reads the
 * frame size from the SOFn header, skips the entropy-coded data of every scan and requires the EOI marker.
 * libjpeg decodes a truncated file "successfully" (grey fill plus a warning on stderr), so this is how a cut-off
 * download is noticed; and the frame size is known before anything is allocated.
 */
final class JpegStructure {
    final int width;
    final int height;

    private JpegStructure(int width, int height) {
        this.width = width;
        this.height = height;
    }

    static boolean looksLikeJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF;
    }

    /** Parses the stream; throws {@link IllegalArgumentException} with a short reason when it is broken. */
    static JpegStructure parse(byte[] b) {
        int n = b.length;
        int width = -1;
        int height = -1;
        int i = 2; // after SOI
        while (true) {
            if (i >= n) {
                throw new IllegalArgumentException("truncated JPEG (no end-of-image marker)");
            }
            if ((b[i] & 0xFF) != 0xFF) {
                throw new IllegalArgumentException("corrupt JPEG (expected a marker at byte " + i + ")");
            }
            while (i < n && (b[i] & 0xFF) == 0xFF) {
                i++; // fill bytes
            }
            if (i >= n) {
                throw new IllegalArgumentException("truncated JPEG (no end-of-image marker)");
            }
            int marker = b[i++] & 0xFF;
            if (marker == 0xD9) {
                if (width < 0) {
                    throw new IllegalArgumentException("corrupt JPEG (no frame header)");
                }
                return new JpegStructure(width, height);
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // TEM and RSTn stand alone
            }
            if (marker == 0x00 || marker == 0xD8) {
                throw new IllegalArgumentException("corrupt JPEG (unexpected marker at byte " + (i - 1) + ")");
            }
            if (i + 2 > n) {
                throw new IllegalArgumentException("truncated JPEG (segment header cut off)");
            }
            int length = ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            if (length < 2) {
                throw new IllegalArgumentException("corrupt JPEG (segment length " + length + " at byte " + i + ")");
            }
            int end = i + length;
            if (end > n) {
                throw new IllegalArgumentException("truncated JPEG (segment cut off)");
            }
            if (isStartOfFrame(marker)) {
                if (length < 8) {
                    throw new IllegalArgumentException("corrupt JPEG (frame header too short)");
                }
                height = ((b[i + 3] & 0xFF) << 8) | (b[i + 4] & 0xFF);
                width = ((b[i + 5] & 0xFF) << 8) | (b[i + 6] & 0xFF);
                if (width == 0 || height == 0) {
                    // height 0 means "defined later by a DNL marker"; nobody writes that, decoders refuse it
                    throw new IllegalArgumentException("unsupported JPEG (frame size " + width + "x" + height + ")");
                }
            }
            i = end;
            if (marker == 0xDA) {
                if (width < 0) {
                    throw new IllegalArgumentException("corrupt JPEG (scan before frame header)");
                }
                i = skipEntropyCodedData(b, i);
            }
        }
    }

    /** Returns the index of the next marker's 0xFF after a scan's entropy-coded data. */
    private static int skipEntropyCodedData(byte[] b, int i) {
        int n = b.length;
        while (i < n) {
            if ((b[i] & 0xFF) != 0xFF) {
                i++;
                continue;
            }
            if (i + 1 >= n) {
                break;
            }
            int next = b[i + 1] & 0xFF;
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                i += 2; // stuffed 0xFF byte or restart marker: still inside the scan
            } else if (next == 0xFF) {
                i++; // fill byte before a marker
            } else {
                return i;
            }
        }
        throw new IllegalArgumentException("truncated JPEG (image data cut off)");
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }
}
