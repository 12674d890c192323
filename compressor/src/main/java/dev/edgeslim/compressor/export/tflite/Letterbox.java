package dev.edgeslim.compressor.export.tflite;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * darknet's letterbox (letterbox_image): scale the image to fit the network input keeping its aspect ratio
 * (integer sizes as darknet computes them), bilinear resampling, centred, the border filled with grey 0.5.
 * Output: NHWC floats, RGB, in [0, 1].
 */
public final class Letterbox {
    public static final float GREY = 0.5f;

    private Letterbox() {
    }

    /** Letterboxes an 8-bit 3-channel BGR image (OpenCV's decoded order) to {@code width} × {@code height}. */
    public static float[] fromBgr(Mat bgr, int width, int height) {
        if (bgr.type() != CV_8UC3 || bgr.cols() < 1 || bgr.rows() < 1) {
            throw new IllegalArgumentException("expected a non-empty 8-bit BGR image");
        }
        int w = bgr.cols();
        int h = bgr.rows();
        int newW;
        int newH;
        if ((double) width / w < (double) height / h) {
            newW = width;
            newH = Math.max(1, (int) ((long) h * width / w));
        } else {
            newH = height;
            newW = Math.max(1, (int) ((long) w * height / h));
        }
        byte[] pixels = new byte[newW * newH * 3];
        try (Mat resized = new Mat()) {
            resize(bgr, resized, new Size(newW, newH), 0, 0, INTER_LINEAR);
            try (BytePointer data = resized.data()) {
                if (resized.isContinuous()) {
                    data.get(pixels);
                } else {
                    for (int y = 0; y < newH; y++) {
                        data.position(y * resized.step()).get(pixels, y * newW * 3, newW * 3);
                    }
                }
            }
        }
        float[] out = new float[width * height * 3];
        java.util.Arrays.fill(out, GREY);
        int dx = (width - newW) / 2;
        int dy = (height - newH) / 2;
        for (int y = 0; y < newH; y++) {
            for (int x = 0; x < newW; x++) {
                int src = (y * newW + x) * 3;
                int dst = ((y + dy) * width + x + dx) * 3;
                out[dst] = (pixels[src + 2] & 0xff) / 255f;
                out[dst + 1] = (pixels[src + 1] & 0xff) / 255f;
                out[dst + 2] = (pixels[src] & 0xff) / 255f;
            }
        }
        return out;
    }
}
