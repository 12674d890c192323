package dev.edgeslim.detector.data;

/**
 * The letterbox geometry shared by training, evaluation and inference: an image of srcWidth x srcHeight is
 * resized by {@code scale = min(netWidth / srcWidth, netHeight / srcHeight)} (aspect kept) to
 * newWidth x newHeight, centred in the network input, the rest padded with grey 0.5.
 *
 * <p>Coordinates are continuous pixels (0 = left border). The per-axis factors are newWidth / srcWidth and
 * newHeight / srcHeight (the resize actually performed, after rounding), so mapping a box to the network input and a
 * detection back are exact inverses of the pixels' movement. Plain Java, so post-processing and the Android demo use
 * the same numbers.
 */
public record Letterbox(int srcWidth, int srcHeight, int netWidth, int netHeight, int newWidth, int newHeight,
                        int padX, int padY) {

    public static Letterbox of(int srcWidth, int srcHeight, int netWidth, int netHeight) {
        if (srcWidth < 1 || srcHeight < 1 || netWidth < 1 || netHeight < 1) {
            throw new IllegalArgumentException("sizes must be positive: " + srcWidth + "x" + srcHeight + " -> "
                    + netWidth + "x" + netHeight);
        }
        double scale = Math.min(netWidth / (double) srcWidth, netHeight / (double) srcHeight);
        int w = (int) Math.max(1, Math.min(netWidth, Math.round(srcWidth * scale)));
        int h = (int) Math.max(1, Math.min(netHeight, Math.round(srcHeight * scale)));
        return new Letterbox(srcWidth, srcHeight, netWidth, netHeight, w, h, (netWidth - w) / 2,
                (netHeight - h) / 2);
    }

    public double scaleX() {
        return newWidth / (double) srcWidth;
    }

    public double scaleY() {
        return newHeight / (double) srcHeight;
    }

    /** Image x to network-input x. */
    public double toNetX(double x) {
        return x * scaleX() + padX;
    }

    public double toNetY(double y) {
        return y * scaleY() + padY;
    }

    /** Network-input x back to image x (for detections). */
    public double toImageX(double x) {
        return (x - padX) / scaleX();
    }

    public double toImageY(double y) {
        return (y - padY) / scaleY();
    }
}
