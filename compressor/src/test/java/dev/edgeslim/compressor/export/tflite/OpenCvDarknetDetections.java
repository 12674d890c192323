package dev.edgeslim.compressor.export.tflite;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_dnn.Net;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_dnn.blobFromImage;
import static org.bytedeco.opencv.global.opencv_dnn.readNetFromDarknet;

/**
 * Detections as a darknet user gets them from OpenCV DNN, independent of EdgeSlim's decoder: the cfg + weights
 * read by {@code readNetFromDarknet}, the unconnected [yolo] outputs (rows cx, cy, w, h, objectness, then per class
 * objectness × class probability, coordinates relative to the network input), per-class greedy NMS.
 */
final class OpenCvDarknetDetections implements AutoCloseable {
    /** One detection in image pixels. */
    record Box(int classId, float score, double x1, double y1, double x2, double y2) {
        double iou(double ax1, double ay1, double ax2, double ay2) {
            double w = Math.min(x2, ax2) - Math.max(x1, ax1);
            double h = Math.min(y2, ay2) - Math.max(y1, ay1);
            if (w <= 0 || h <= 0) {
                return 0;
            }
            double inter = w * h;
            return inter / ((x2 - x1) * (y2 - y1) + (ax2 - ax1) * (ay2 - ay1) - inter);
        }
    }

    /** Maps a box centre/size relative to the network input to image pixels. */
    interface Placement {
        double[] toImage(double cx, double cy, double w, double h);
    }

    private final Net net;

    OpenCvDarknetDetections(Path cfg, Path weights) {
        net = readNetFromDarknet(cfg.toString(), weights.toString());
    }

    /** {@code blobFromImage(bgr, 1/255, (w, h), swapRB)}: a plain resize, boxes scaled back by the image size. */
    List<Box> detectStretched(Mat bgr, int netW, int netH, float threshold, float nms) {
        Mat blob = blobFromImage(bgr, 1 / 255.0, new Size(netW, netH), new Scalar(0.0), true, false, CV_32F);
        int iw = bgr.cols();
        int ih = bgr.rows();
        return detect(blob, threshold, nms, (cx, cy, w, h) -> new double[]{
                (cx - w / 2) * iw, (cy - h / 2) * ih, (cx + w / 2) * iw, (cy + h / 2) * ih});
    }

    /** A ready NCHW blob (e.g. an image letterboxed by the caller) and how its boxes map back. */
    List<Box> detect(Mat blob, float threshold, float nms, Placement placement) {
        net.setInput(blob);
        MatVector outs = new MatVector();
        net.forward(outs, net.getUnconnectedOutLayersNames());
        List<Box> candidates = new ArrayList<>();
        for (long o = 0; o < outs.size(); o++) {
            Mat m = outs.get(o);
            int rows = m.rows();
            int cols = m.cols();
            float[] data = new float[rows * cols];
            new FloatPointer(m.data()).get(data);
            for (int r = 0; r < rows; r++) {
                for (int c = 5; c < cols; c++) {
                    float score = data[r * cols + c];
                    if (score >= threshold) {
                        double[] b = placement.toImage(data[r * cols], data[r * cols + 1], data[r * cols + 2],
                                data[r * cols + 3]);
                        if (b[2] > b[0] && b[3] > b[1]) { // a box clipped to nothing is no detection
                            candidates.add(new Box(c - 5, score, b[0], b[1], b[2], b[3]));
                        }
                    }
                }
            }
        }
        candidates.sort(Comparator.comparingDouble(Box::score).reversed());
        List<Box> kept = new ArrayList<>();
        for (Box b : candidates) {
            if (kept.stream().noneMatch(k -> k.classId() == b.classId() && k.iou(b.x1(), b.y1(), b.x2(), b.y2()) > nms)) {
                kept.add(b);
            }
        }
        return kept;
    }

    @Override
    public void close() {
        net.close();
    }
}
