package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.Detection;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_180;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.rotate;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_YUV2RGB_NV21;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The camera path gives the still-image path's boxes: an upright picture is turned the way a sensor mounted at
 * 0/90/180/270 degrees sees it and encoded as an NV21 frame; the app converts it back upright
 * ({@link FrameConverter}), letterboxes and detects it ({@link AndroidDetector#detectFrame}). The still path gets
 * the same frame decoded and turned upright by OpenCV ({@code cvtColor}, {@code rotate}) as an image
 * ({@link AndroidDetector#detect(byte[], int, int)}). Every still box is found again, same class, IoU >= 0.99.
 * (The frame, not the original picture, is the reference: 4:2:0 chroma subsampling changes colours a little, and
 * the lively test network, whose random weights find a hundred boxes, reacts to that.)
 */
class CameraFrameDetectionTest {
    @BeforeAll
    static void loadTflite() {
        DesktopTflite.load();
    }

    @Test
    void everyRotationGivesTheStillImageBoxes() throws Exception {
        DetectorOptions options = DetectorOptions.defaults();
        try (AndroidDetector detector = AndroidDetector.open(TestModels.bytes(TestModels.fp32()),
                TestModels.fp32().metadata().toJson(), "lively", new RuntimeSettings(2, Backend.XNNPACK), options)) {
            int compared = 0;
            for (BufferedImage img : TestModels.sampleImages()) {
                int[] rotations = {0, 90, 180, 270};
                // the sensor's view is the upright picture turned back by the rotation the app applies
                int[] sensorTurn = {-1, ROTATE_90_COUNTERCLOCKWISE, ROTATE_180, ROTATE_90_CLOCKWISE};
                FrameConverter converter = new FrameConverter();
                for (int i = 0; i < rotations.length; i++) {
                    int fw = rotations[i] % 180 == 0 ? img.getWidth() : img.getHeight();
                    int fh = rotations[i] % 180 == 0 ? img.getHeight() : img.getWidth();
                    byte[] sensorRgb = turn(TestModels.rgb(img), img.getWidth(), img.getHeight(), sensorTurn[i]);
                    byte[] nv21 = YuvFrames.ofRgb(sensorRgb, fw, fh).nv21();
                    byte[] decoded = decode(nv21, fw, fh);
                    byte[] stillRgb = turn(decoded, fw, fh, sensorTurn[(4 - i) % 4]);
                    List<Detection> still = detector.detect(stillRgb, img.getWidth(), img.getHeight()).detections();
                    assertTrue(still.size() > 0, "the lively model finds boxes");
                    int[] upright = converter.convertNv21(nv21, fw, fh, rotations[i], false);
                    assertEquals(img.getWidth(), converter.width());
                    List<Detection> camera = detector.detectFrame(upright, converter.width(), converter.height())
                            .detections();
                    double worst = 1;
                    for (Detection s : still) {
                        double best = 0;
                        for (Detection c : camera) {
                            if (c.classId() == s.classId()) {
                                best = Math.max(best, iou(s, c));
                            }
                        }
                        worst = Math.min(worst, best);
                        compared++;
                    }
                    System.out.printf("%dx%d rotation %d: %d still boxes, %d camera boxes, worst IoU %.4f%n",
                            img.getWidth(), img.getHeight(), rotations[i], still.size(), camera.size(), worst);
                    assertTrue(worst >= 0.99, "rotation " + rotations[i] + ": a still box has IoU " + worst);
                }
            }
            assertTrue(compared >= 40, "too few boxes compared: " + compared);
        }
    }

    private static byte[] turn(byte[] rgb, int width, int height, int code) {
        if (code < 0) {
            return rgb;
        }
        try (Mat src = new Mat(height, width, CV_8UC3); Mat dst = new Mat()) {
            src.data().put(rgb);
            rotate(src, dst, code);
            byte[] out = new byte[rgb.length];
            dst.data().get(out);
            return out;
        }
    }

    private static byte[] decode(byte[] nv21, int width, int height) {
        try (Mat src = YuvFrames.mat(nv21, height * 3 / 2, width); Mat rgb = new Mat()) {
            cvtColor(src, rgb, COLOR_YUV2RGB_NV21);
            byte[] out = new byte[width * height * 3];
            rgb.data().get(out);
            return out;
        }
    }

    private static double iou(Detection a, Detection b) {
        double ix = Math.max(0, Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1()));
        double iy = Math.max(0, Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1()));
        double inter = ix * iy;
        double union = (a.x2() - a.x1()) * (a.y2() - a.y1()) + (b.x2() - b.x1()) * (b.y2() - b.y1()) - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
