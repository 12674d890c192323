package dev.edgeslim.detector.image;

import org.bytedeco.opencv.opencv_core.Mat;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC4;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * An 8-bit RGB image held in Java memory: {@code width x height} pixels, row-major, three interleaved bytes
 * (R, G, B) per pixel, the layout {@code dev.edgeslim.detector.postprocess.InputTransform} takes. The pixel array is
 * shared, not copied (images are large); treat it as read-only.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] rgb;

    public RgbImage(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb == null || rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * width * height
                    + " bytes, got " + (rgb == null ? "null" : rgb.length));
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The interleaved RGB bytes (shared, not a copy). */
    public byte[] rgb() {
        return rgb;
    }

    /** The pixel at (x, y) as 0xRRGGBB. */
    public int pixel(int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            throw new IndexOutOfBoundsException("pixel (" + x + ", " + y + ") outside " + width + "x" + height);
        }
        int k = 3 * (y * width + x);
        return ((rgb[k] & 0xFF) << 16) | ((rgb[k + 1] & 0xFF) << 8) | (rgb[k + 2] & 0xFF);
    }

    /** The same pixels as opaque ARGB ints, the layout of Android's {@code Bitmap.getPixels}. */
    public int[] toArgb() {
        int[] out = new int[width * height];
        for (int i = 0, k = 0; i < out.length; i++, k += 3) {
            out[i] = 0xFF000000 | ((rgb[k] & 0xFF) << 16) | ((rgb[k + 1] & 0xFF) << 8) | (rgb[k + 2] & 0xFF);
        }
        return out;
    }

    /** A new OpenCV BGR {@code CV_8UC3} Mat with these pixels; the caller closes it. */
    public Mat toBgrMat() {
        Mat bgr = new Mat();
        try (Mat rgbMat = new Mat(height, width, CV_8UC3)) {
            rgbMat.data().put(rgb, 0, rgb.length);
            cvtColor(rgbMat, bgr, COLOR_RGB2BGR);
        }
        return bgr;
    }

    /** Copies an 8-bit OpenCV image (BGR, BGRA or grey, as imdecode returns them) into an RgbImage. */
    public static RgbImage fromMat(Mat mat) {
        int code;
        if (mat.type() == CV_8UC3) {
            code = COLOR_BGR2RGB;
        } else if (mat.type() == CV_8UC4) {
            code = COLOR_BGRA2RGB;
        } else if (mat.type() == CV_8UC1) {
            code = COLOR_GRAY2RGB;
        } else {
            throw new IllegalArgumentException("expected an 8-bit 1, 3 or 4 channel Mat, got type " + mat.type());
        }
        if (mat.rows() <= 0 || mat.cols() <= 0) {
            throw new IllegalArgumentException("empty Mat");
        }
        try (Mat rgbMat = new Mat()) {
            cvtColor(mat, rgbMat, code); // the result is a fresh, continuous Mat
            byte[] bytes = new byte[Math.multiplyExact(3 * rgbMat.cols(), rgbMat.rows())];
            rgbMat.data().get(bytes);
            return new RgbImage(rgbMat.cols(), rgbMat.rows(), bytes);
        }
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
