package dev.edgeslim.detector.data;

import org.bytedeco.opencv.opencv_core.Mat;

import java.util.List;

/**
 * A decoded image (OpenCV 8-bit BGR, owned by this object) with its boxes. Close it to free the native pixels.
 *
 * @param index the source index it was loaded from (see {@link ImageSource#load})
 * @param id    a readable unique id, e.g. "VOC2007/000005"
 */
public record LabeledImage(int index, String id, Mat image, List<PixelBox> boxes) implements AutoCloseable {
    public LabeledImage {
        boxes = List.copyOf(boxes);
    }

    public int width() {
        return image.cols();
    }

    public int height() {
        return image.rows();
    }

    @Override
    public void close() {
        image.close();
    }
}
