package dev.edgeslim.detector.graph;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Full YOLOv4 (Mish, SPP max-pools, PAN with stride-2 convolutions, three heads) against OpenCV DNN, as in
 * {@link OpenCvParityTest}; on its own because writing, reading and compiling 64 M parameters takes a while.
 */
class Yolov4ParityTest {
    @TempDir
    Path dir;

    @Test
    void headsMatchOpenCvAt320() throws Exception {
        OpenCvParityTest.assertHeadsMatchOpenCv(dir, "yolov4.cfg", 320);
    }
}
