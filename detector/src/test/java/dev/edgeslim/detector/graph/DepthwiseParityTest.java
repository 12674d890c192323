package dev.edgeslim.detector.graph;

import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.model.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Depthwise convolutions (one DepthwiseConv2dNative) and grouped ones (one grouped Conv2D) give OpenCV DNN's heads
 * on seeded random weights, on both padding paths (stride 1 SAME, stride 2 explicit) and on the image's channels;
 * the darknet-trained depthwise model as shipped is checked against OpenCV in {@code YoloFastestBodyTest}.
 */
class DepthwiseParityTest {
    @TempDir
    Path dir;

    @Test
    void depthwiseAndGroupedConvolutionsMatchOpenCv() throws Exception {
        NetworkSpec spec = TinyNets.depthwise(32);
        Path cfg = dir.resolve("depthwise.cfg");
        CfgWriter.write(spec, cfg);
        OpenCvParityTest.assertHeadsMatchOpenCv(dir, cfg, 32, OpenCvParityTest.TOLERANCE);
    }
}
