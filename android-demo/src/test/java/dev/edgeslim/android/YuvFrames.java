package dev.edgeslim.android;

import org.bytedeco.opencv.opencv_core.Mat;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2YUV_I420;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * Camera-like YUV 4:2:0 frames of real pictures, made by OpenCV: I420 planes, NV21 as {@code android.hardware.Camera}
 * delivers it, and {@code YUV_420_888} planes with padded rows and interleaved chroma (pixel stride 2) as
 * Camera2/CameraX deliver them.
 */
final class YuvFrames {
    final int width;
    final int height;
    /** Y (width x height), then U and V (width/2 x height/2 each). */
    final byte[] i420;

    private YuvFrames(int width, int height, byte[] i420) {
        this.width = width;
        this.height = height;
        this.i420 = i420;
    }

    static YuvFrames of(BufferedImage img) {
        return ofRgb(TestModels.rgb(img), img.getWidth(), img.getHeight());
    }

    static YuvFrames ofRgb(byte[] rgb, int width, int height) {
        try (Mat rgbMat = new Mat(height, width, CV_8UC3); Mat yuv = new Mat()) {
            rgbMat.data().put(rgb);
            cvtColor(rgbMat, yuv, COLOR_RGB2YUV_I420);
            byte[] out = new byte[width * height * 3 / 2];
            yuv.data().get(out);
            return new YuvFrames(width, height, out);
        }
    }

    private int ySize() {
        return width * height;
    }

    private int cSize() {
        return (width / 2) * (height / 2);
    }

    /** Y, then V and U interleaved. */
    byte[] nv21() {
        byte[] out = new byte[ySize() + 2 * cSize()];
        System.arraycopy(i420, 0, out, 0, ySize());
        for (int i = 0; i < cSize(); i++) {
            out[ySize() + 2 * i] = i420[ySize() + cSize() + i];
            out[ySize() + 2 * i + 1] = i420[ySize() + i];
        }
        return out;
    }

    /** The three planes of a YUV_420_888 image with the given row strides (bytes) and chroma pixel stride. */
    Planes planes(int yRowStride, int uvRowStride, int uvPixelStride) {
        ByteBuffer y = ByteBuffer.allocateDirect(yRowStride * height);
        for (int row = 0; row < height; row++) {
            y.position(row * yRowStride);
            y.put(i420, row * width, width);
        }
        y.clear();
        int cw = width / 2;
        int ch = height / 2;
        ByteBuffer u;
        ByteBuffer v;
        if (uvPixelStride == 2) {
            // one buffer V U V U ... (NV21 order), the U plane starting one byte in, as most devices do
            ByteBuffer vu = ByteBuffer.allocateDirect(uvRowStride * ch);
            for (int row = 0; row < ch; row++) {
                for (int col = 0; col < cw; col++) {
                    vu.put(row * uvRowStride + 2 * col, i420[ySize() + cSize() + row * cw + col]);
                    vu.put(row * uvRowStride + 2 * col + 1, i420[ySize() + row * cw + col]);
                }
            }
            v = vu.duplicate();
            vu.position(1);
            u = vu.slice();
        } else {
            u = ByteBuffer.allocateDirect(uvRowStride * ch);
            v = ByteBuffer.allocateDirect(uvRowStride * ch);
            for (int row = 0; row < ch; row++) {
                for (int col = 0; col < cw; col++) {
                    u.put(row * uvRowStride + col * uvPixelStride, i420[ySize() + row * cw + col]);
                    v.put(row * uvRowStride + col * uvPixelStride, i420[ySize() + cSize() + row * cw + col]);
                }
            }
        }
        return new Planes(y, yRowStride, u, v, uvRowStride, uvPixelStride);
    }

    static final class Planes {
        final ByteBuffer y;
        final int yRowStride;
        final ByteBuffer u;
        final ByteBuffer v;
        final int uvRowStride;
        final int uvPixelStride;

        Planes(ByteBuffer y, int yRowStride, ByteBuffer u, ByteBuffer v, int uvRowStride, int uvPixelStride) {
            this.y = y;
            this.yRowStride = yRowStride;
            this.u = u;
            this.v = v;
            this.uvRowStride = uvRowStride;
            this.uvPixelStride = uvPixelStride;
        }
    }

    /** An 8-bit single-channel Mat over a copy of {@code bytes} with {@code rows} rows of {@code cols}. */
    static Mat mat(byte[] bytes, int rows, int cols) {
        Mat m = new Mat(rows, cols, CV_8UC1);
        m.data().put(bytes);
        return m;
    }
}
