package dev.edgeslim.android;

import java.nio.ByteBuffer;

/**
 * Camera frames to upright ARGB pixels: YUV 4:2:0 (NV21 from {@code android.hardware.Camera}, or the three planes
 * of a {@code YUV_420_888} image with their row and pixel strides) to RGB, rotated by 0/90/180/270 degrees
 * clockwise so that the picture is upright, and mirrored for a front camera so that it matches the preview the
 * user sees. The result feeds the same letterbox as a still image ({@link AndroidDetector#detect(int[], int, int)}).
 *
 * <p>Colour: BT.601 "video range" (Y in 16..235), the fixed-point arithmetic OpenCV's {@code cvtColor}
 * ({@code COLOR_YUV2RGB_NV21}) uses, so the two agree. Each 2x2 block of pixels shares one U and one V sample.
 *
 * <p>The output array is reused from frame to frame: after the first frame of a given size nothing is allocated.
 * Not thread-safe; the returned array is overwritten by the next conversion.
 */
public final class FrameConverter {
    // BT.601 video range to RGB, scaled by 2^20 (1.164, 1.596, -0.391, -0.813, 2.018)
    private static final int SHIFT = 20;
    private static final int HALF = 1 << (SHIFT - 1);
    private static final int CY = 1220542;
    private static final int CVR = 1673527;
    private static final int CUG = -409993;
    private static final int CVG = -852492;
    private static final int CUB = 2116026;

    private final Rotation rotationState = new Rotation();
    private int[] argb = new int[0];
    private int width;
    private int height;

    /**
     * Converts an NV21 frame ({@code width * height} Y bytes, then interleaved V,U at half resolution).
     *
     * @param rotation clockwise degrees (0, 90, 180 or 270) that make the frame upright
     * @param mirror   flip left-right after rotating (front cameras, whose preview is shown mirrored)
     * @return the upright ARGB pixels, {@link #width()} x {@link #height()}, row-major; reused by the next call
     */
    public int[] convertNv21(byte[] nv21, int frameWidth, int frameHeight, int rotation, boolean mirror) {
        checkFrame(frameWidth, frameHeight);
        long need = (long) frameWidth * frameHeight + 2L * ((frameWidth + 1) / 2) * ((frameHeight + 1) / 2);
        if (nv21.length < need) {
            throw new IllegalArgumentException("an NV21 frame of " + frameWidth + "x" + frameHeight + " needs " + need
                    + " bytes, got " + nv21.length);
        }
        Rotation r = prepare(frameWidth, frameHeight, rotation, mirror);
        int chroma = frameWidth * frameHeight;
        int chromaRow = 2 * ((frameWidth + 1) / 2);
        for (int sy = 0; sy < frameHeight; sy++) {
            int yRow = sy * frameWidth;
            int cRow = chroma + (sy >> 1) * chromaRow;
            for (int sx = 0; sx < frameWidth; sx++) {
                int c = cRow + (sx & ~1);
                argb[r.index(sx, sy)] = toArgb(nv21[yRow + sx] & 0xFF, nv21[c + 1] & 0xFF, nv21[c] & 0xFF);
            }
        }
        return argb;
    }

    /**
     * Converts the planes of a {@code YUV_420_888} image as {@code android.media.Image.Plane} describes them: Y with
     * its row stride (pixel stride 1), U and V with a shared row stride and pixel stride (1 for planar I420, 2 for
     * the semi-planar layouts most cameras deliver, where U and V interleave in one buffer). Absolute reads: the
     * buffers' positions are not changed.
     */
    public int[] convertYuv420(ByteBuffer yPlane, int yRowStride, ByteBuffer uPlane, ByteBuffer vPlane,
                               int uvRowStride, int uvPixelStride, int frameWidth, int frameHeight, int rotation,
                               boolean mirror) {
        checkFrame(frameWidth, frameHeight);
        int chromaWidth = (frameWidth + 1) / 2;
        if (yRowStride < frameWidth || uvPixelStride < 1 || uvRowStride < uvPixelStride * (chromaWidth - 1) + 1) {
            throw new IllegalArgumentException("strides Y " + yRowStride + ", UV row " + uvRowStride + " pixel "
                    + uvPixelStride + " cannot hold a " + frameWidth + "x" + frameHeight + " frame");
        }
        Rotation r = prepare(frameWidth, frameHeight, rotation, mirror);
        int y0 = yPlane.position();
        int u0 = uPlane.position();
        int v0 = vPlane.position();
        for (int sy = 0; sy < frameHeight; sy++) {
            int yRow = y0 + sy * yRowStride;
            int cRow = (sy >> 1) * uvRowStride;
            for (int sx = 0; sx < frameWidth; sx++) {
                int c = cRow + (sx >> 1) * uvPixelStride;
                argb[r.index(sx, sy)] = toArgb(yPlane.get(yRow + sx) & 0xFF, uPlane.get(u0 + c) & 0xFF,
                        vPlane.get(v0 + c) & 0xFF);
            }
        }
        return argb;
    }

    /** Width of the last converted picture (the frame's height when rotated by 90 or 270). */
    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The pixels of the last conversion. */
    public int[] argb() {
        return argb;
    }

    private Rotation prepare(int frameWidth, int frameHeight, int rotation, boolean mirror) {
        boolean swap = rotation == 90 || rotation == 270;
        if (rotation != 0 && rotation != 180 && !swap) {
            throw new IllegalArgumentException("rotation must be 0, 90, 180 or 270 degrees, got " + rotation);
        }
        width = swap ? frameHeight : frameWidth;
        height = swap ? frameWidth : frameHeight;
        int pixels = frameWidth * frameHeight;
        if (argb.length != pixels) {
            argb = new int[pixels];
        }
        rotationState.set(frameWidth, frameHeight, rotation, mirror, width);
        return rotationState;
    }

    /** Where source pixel (x, y) lands in the upright picture; one reused instance, no per-frame objects. */
    private static final class Rotation {
        private int frameWidth;
        private int frameHeight;
        private int rotation;
        private boolean mirror;
        private int outWidth;

        void set(int frameWidth, int frameHeight, int rotation, boolean mirror, int outWidth) {
            this.frameWidth = frameWidth;
            this.frameHeight = frameHeight;
            this.rotation = rotation;
            this.mirror = mirror;
            this.outWidth = outWidth;
        }

        int index(int sx, int sy) {
            int dx;
            int dy;
            switch (rotation) {
                case 90:
                    dx = frameHeight - 1 - sy;
                    dy = sx;
                    break;
                case 180:
                    dx = frameWidth - 1 - sx;
                    dy = frameHeight - 1 - sy;
                    break;
                case 270:
                    dx = sy;
                    dy = frameWidth - 1 - sx;
                    break;
                default:
                    dx = sx;
                    dy = sy;
            }
            if (mirror) {
                dx = outWidth - 1 - dx;
            }
            return dy * outWidth + dx;
        }
    }

    /** One BT.601 video-range YUV sample to opaque ARGB. */
    static int toArgb(int y, int u, int v) {
        int yy = Math.max(0, y - 16) * CY;
        int du = u - 128;
        int dv = v - 128;
        int r = clamp((yy + HALF + CVR * dv) >> SHIFT);
        int g = clamp((yy + HALF + CVG * dv + CUG * du) >> SHIFT);
        int b = clamp((yy + HALF + CUB * du) >> SHIFT);
        return 0xFF000000 | (r << 16) | (g << 8) | b;
    }

    private static int clamp(int c) {
        return c < 0 ? 0 : (c > 255 ? 255 : c);
    }

    private static void checkFrame(int w, int h) {
        if (w <= 0 || h <= 0 || (long) w * h > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("bad frame size " + w + "x" + h);
        }
    }
}
