package dev.edgeslim.detector.data;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * In-memory images for augmentation tests: grey canvases with filled rectangles whose colour identifies the class
 * (class 0 red, 1 green, 2 blue, 3 yellow, 4 magenta, 5 cyan).
 */
final class MemorySource implements ImageSource, AutoCloseable {
    /** RGB of each class's rectangles. */
    static final int[][] RGB = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}, {255, 0, 255}, {0, 255, 255}};

    private final List<Mat> images = new ArrayList<>();
    private final List<List<PixelBox>> boxes = new ArrayList<>();

    /** Adds a w x h grey image; {@code rects} are {class, x, y, width, height} in pixels. */
    MemorySource add(int w, int h, int[]... rects) {
        Mat m = new Mat(h, w, CV_8UC3, new Scalar(128, 128, 128, 0));
        List<PixelBox> b = new ArrayList<>();
        for (int[] r : rects) {
            int[] c = RGB[r[0]];
            try (Mat window = m.apply(new Rect(r[1], r[2], r[3], r[4]))) {
                window.put(new Scalar(c[2], c[1], c[0], 0));
            }
            b.add(new PixelBox(r[0], r[1], r[2], r[1] + r[3], r[2] + r[4], false));
        }
        images.add(m);
        boxes.add(b);
        return this;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public LabeledImage load(int index) {
        return new LabeledImage(index, "img" + index, images.get(index).clone(), boxes.get(index));
    }

    @Override
    public void close() {
        images.forEach(Mat::close);
    }
}
