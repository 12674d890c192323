package dev.edgeslim.detector.postprocess;

/**
 * Fitting an image into the network input without distorting it (darknet's {@code letterbox_image}): the image
 * is scaled by {@code min(netW / imgW, netH / imgH)} to {@code newWidth x newHeight} (rounded), centred at
 * offset ({@link #dx()}, {@link #dy()}) and the border is filled with grey 0.5. This class holds that geometry,
 * maps boxes between the two frames (float for detections, double for training targets), and builds the network
 * input tensor from pixels. It is the one letterbox geometry of the project: training ({@code data.Augmenter}, whose
 * OpenCV resize draws the same {@code newWidth x newHeight} at the same offsets), evaluation and inference.
 *
 * <p>Pixels: bilinear resampling with half-pixel centres and edge clamping (OpenCV's {@code INTER_LINEAR},
 * TF's {@code resize_bilinear(half_pixel_centers=true)}; darknet's own resize aligns corners instead, a
 * sub-pixel difference). Output is NHWC float RGB in [0, 1], row-major, {@code netH * netW * 3} values.
 * Interleaved RGB bytes (desktop) and ARGB ints ({@code Bitmap.getPixels} with stride = width, alpha ignored)
 * go through the same arithmetic, so the same pixels give bit-identical tensors on the desktop and the phone.
 * Immutable.
 */
public final class Letterbox {
    /** Grey used for the border, as darknet fills it. */
    public static final float PAD_VALUE = 0.5f;

    private final int imageWidth;
    private final int imageHeight;
    private final int netWidth;
    private final int netHeight;
    private final int newWidth;
    private final int newHeight;
    private final int dx;
    private final int dy;
    private final double scale;
    // bilinear source indices and weights per output column/row, computed once so that filling a reused
    // tensor allocates nothing (the camera path letterboxes every frame)
    private final int[] x0;
    private final int[] x1;
    private final float[] fx;
    private final int[] y0;
    private final int[] y1;
    private final float[] fy;

    private Letterbox(int imageWidth, int imageHeight, int netWidth, int netHeight) {
        checkSize("image", imageWidth, imageHeight);
        checkSize("network input", netWidth, netHeight);
        this.imageWidth = imageWidth;
        this.imageHeight = imageHeight;
        this.netWidth = netWidth;
        this.netHeight = netHeight;
        this.scale = Math.min(netWidth / (double) imageWidth, netHeight / (double) imageHeight);
        this.newWidth = clamp((int) Math.round(imageWidth * scale), 1, netWidth);
        this.newHeight = clamp((int) Math.round(imageHeight * scale), 1, netHeight);
        this.dx = (netWidth - newWidth) / 2;
        this.dy = (netHeight - newHeight) / 2;
        this.x0 = new int[newWidth];
        this.x1 = new int[newWidth];
        this.fx = new float[newWidth];
        sampling(imageWidth, newWidth, x0, x1, fx);
        this.y0 = new int[newHeight];
        this.y1 = new int[newHeight];
        this.fy = new float[newHeight];
        sampling(imageHeight, newHeight, y0, y1, fy);
    }

    public static Letterbox of(int imageWidth, int imageHeight, int netWidth, int netHeight) {
        return new Letterbox(imageWidth, imageHeight, netWidth, netHeight);
    }

    /** Letterboxes interleaved RGB bytes (row-major, 3 bytes per pixel) into an NHWC float tensor. */
    public static float[] letterbox(byte[] rgb, int imageWidth, int imageHeight, int netWidth, int netHeight) {
        return of(imageWidth, imageHeight, netWidth, netHeight).toTensor(rgb);
    }

    /** Letterboxes ARGB ints (row-major, stride = width, alpha ignored) into an NHWC float tensor. */
    public static float[] letterbox(int[] argb, int imageWidth, int imageHeight, int netWidth, int netHeight) {
        return of(imageWidth, imageHeight, netWidth, netHeight).toTensor(argb);
    }

    public int imageWidth() {
        return imageWidth;
    }

    public int imageHeight() {
        return imageHeight;
    }

    public int netWidth() {
        return netWidth;
    }

    public int netHeight() {
        return netHeight;
    }

    /** Width of the scaled image inside the network input. */
    public int newWidth() {
        return newWidth;
    }

    public int newHeight() {
        return newHeight;
    }

    /** Left offset of the scaled image inside the network input. */
    public int dx() {
        return dx;
    }

    /** Top offset of the scaled image inside the network input. */
    public int dy() {
        return dy;
    }

    /** The nominal scale factor {@code min(netW / imgW, netH / imgH)} (before rounding the new size). */
    public double scale() {
        return scale;
    }

    /**
     * Horizontal factor actually applied to the pixels: {@code newWidth / imageWidth} (after rounding the new size,
     * so it can differ slightly from {@link #scale()}). Image x maps to {@code x * scaleX() + dx()}.
     */
    public double scaleX() {
        return newWidth / (double) imageWidth;
    }

    /** Vertical factor actually applied: {@code newHeight / imageHeight}. */
    public double scaleY() {
        return newHeight / (double) imageHeight;
    }

    /** Length of the tensor: netHeight x netWidth x 3. */
    public int tensorLength() {
        return netHeight * netWidth * 3;
    }

    /** Network-input x to image x, clipped to [0, imageWidth]. Uses the rounded size actually drawn. */
    public float toImageX(float netX) {
        double x = (netX - dx) * imageWidth / (double) newWidth;
        return (float) Math.max(0.0, Math.min(imageWidth, x));
    }

    /** Network-input y to image y, clipped to [0, imageHeight]. */
    public float toImageY(float netY) {
        double y = (netY - dy) * imageHeight / (double) newHeight;
        return (float) Math.max(0.0, Math.min(imageHeight, y));
    }

    /** Image x to network-input x (the inverse of {@link #toImageX} inside the image). */
    public float toNetworkX(float imageX) {
        return (float) (imageX * newWidth / (double) imageWidth + dx);
    }

    public float toNetworkY(float imageY) {
        return (float) (imageY * newHeight / (double) imageHeight + dy);
    }

    /** {@link #toImageX(float)} in double precision (training targets, exact round trips). */
    public double toImageX(double netX) {
        return Math.max(0.0, Math.min(imageWidth, (netX - dx) / scaleX()));
    }

    /** {@link #toImageY(float)} in double precision. */
    public double toImageY(double netY) {
        return Math.max(0.0, Math.min(imageHeight, (netY - dy) / scaleY()));
    }

    /** {@link #toNetworkX(float)} in double precision: {@code imageX * scaleX() + dx()}. */
    public double toNetworkX(double imageX) {
        return imageX * scaleX() + dx;
    }

    /** {@link #toNetworkY(float)} in double precision: {@code imageY * scaleY() + dy()}. */
    public double toNetworkY(double imageY) {
        return imageY * scaleY() + dy;
    }

    /** A box in network-input pixels mapped to original-image pixels, clipped to the image. */
    public Detection toImage(Detection d) {
        return d.withBox(toImageX(d.x1()), toImageY(d.y1()), toImageX(d.x2()), toImageY(d.y2()));
    }

    /** A box in original-image pixels mapped to network-input pixels (e.g. ground truth for training). */
    public Detection toNetwork(Detection d) {
        return d.withBox(toNetworkX(d.x1()), toNetworkY(d.y1()), toNetworkX(d.x2()), toNetworkY(d.y2()));
    }

    public float[] toTensor(byte[] rgb) {
        float[] out = new float[tensorLength()];
        toTensor(rgb, out);
        return out;
    }

    /** Fills {@code out} (length {@link #tensorLength()}), e.g. a reused buffer. */
    public void toTensor(byte[] rgb, float[] out) {
        long need = 3L * imageWidth * imageHeight;
        if (rgb.length != need) {
            throw new IllegalArgumentException("expected " + need + " RGB bytes for " + imageWidth + "x"
                    + imageHeight + ", got " + rgb.length);
        }
        resample(rgb, null, out);
    }

    public float[] toTensor(int[] argb) {
        float[] out = new float[tensorLength()];
        toTensor(argb, out);
        return out;
    }

    public void toTensor(int[] argb, float[] out) {
        long need = (long) imageWidth * imageHeight;
        if (argb.length != need) {
            throw new IllegalArgumentException("expected " + need + " ARGB pixels for " + imageWidth + "x"
                    + imageHeight + ", got " + argb.length);
        }
        resample(null, argb, out);
    }

    /**
     * The tensor for a quantized model input: the float tensor quantized with {@code q = round(v / scale) +
     * zeroPoint} as int8 ({@code signed}) or uint8 bytes.
     */
    public byte[] toQuantizedTensor(byte[] rgb, float quantScale, int zeroPoint, boolean signed) {
        return Quantization.quantize(toTensor(rgb), quantScale, zeroPoint, signed);
    }

    public byte[] toQuantizedTensor(int[] argb, float quantScale, int zeroPoint, boolean signed) {
        return Quantization.quantize(toTensor(argb), quantScale, zeroPoint, signed);
    }

    /** Shared by both pixel formats (exactly one is non-null) so they produce identical floats. */
    private void resample(byte[] rgb, int[] argb, float[] out) {
        if (out.length != tensorLength()) {
            throw new IllegalArgumentException("output must hold " + tensorLength() + " floats, got " + out.length);
        }
        java.util.Arrays.fill(out, PAD_VALUE);
        for (int oy = 0; oy < newHeight; oy++) {
            int rowTop = y0[oy] * imageWidth;
            int rowBottom = y1[oy] * imageWidth;
            float wy = fy[oy];
            int o = ((oy + dy) * netWidth + dx) * 3;
            for (int ox = 0; ox < newWidth; ox++) {
                int p00 = pixel(rgb, argb, rowTop + x0[ox]);
                int p01 = pixel(rgb, argb, rowTop + x1[ox]);
                int p10 = pixel(rgb, argb, rowBottom + x0[ox]);
                int p11 = pixel(rgb, argb, rowBottom + x1[ox]);
                float wx = fx[ox];
                for (int shift = 16; shift >= 0; shift -= 8) {
                    float top = ((p00 >> shift) & 0xFF) * (1f - wx) + ((p01 >> shift) & 0xFF) * wx;
                    float bottom = ((p10 >> shift) & 0xFF) * (1f - wx) + ((p11 >> shift) & 0xFF) * wx;
                    out[o++] = (top * (1f - wy) + bottom * wy) / 255f; // exactly p / 255f when unscaled
                }
            }
        }
    }

    /** One pixel as 0xRRGGBB from interleaved RGB bytes or ARGB ints (alpha dropped). */
    private static int pixel(byte[] rgb, int[] argb, int i) {
        if (argb != null) {
            return argb[i] & 0xFFFFFF;
        }
        int k = 3 * i;
        return ((rgb[k] & 0xFF) << 16) | ((rgb[k + 1] & 0xFF) << 8) | (rgb[k + 2] & 0xFF);
    }

    /** Source indices and weights for each destination index, half-pixel centres, clamped at the edges. */
    private static void sampling(int srcSize, int dstSize, int[] i0, int[] i1, float[] frac) {
        double ratio = srcSize / (double) dstSize;
        for (int d = 0; d < dstSize; d++) {
            double s = (d + 0.5) * ratio - 0.5;
            int lo = (int) Math.floor(s);
            float f = (float) (s - lo);
            if (lo < 0) {
                lo = 0;
                f = 0f;
            }
            if (lo >= srcSize - 1) {
                lo = srcSize - 1;
                f = 0f;
            }
            i0[d] = lo;
            i1[d] = Math.min(lo + 1, srcSize - 1);
            frac[d] = f;
        }
    }

    private static void checkSize(String what, int w, int h) {
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException(what + " size must be positive, got " + w + "x" + h);
        }
        if (3L * w * h > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " size " + w + "x" + h + " is too large for one array");
        }
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    @Override
    public String toString() {
        return "Letterbox[" + imageWidth + "x" + imageHeight + " -> " + newWidth + "x" + newHeight + " at (" + dx
                + ", " + dy + ") in " + netWidth + "x" + netHeight + "]";
    }
}
