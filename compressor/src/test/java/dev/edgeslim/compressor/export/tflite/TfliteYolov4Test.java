package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Full YOLOv4 (Mish, SPP, PAN; 64 M parameters) at 160×160 against OpenCV DNN, fp32 and int8 (fp16 takes the
 * same paths as on the tiny networks and would only add a 128 MB export to this already heavy test).
 */
class TfliteYolov4Test {

    @Test
    void yolov4(@TempDir Path dir) throws Exception {
        NetworkSpec spec = TfliteUpstreamCfgTest.upstream("yolov4.cfg", 160);
        WeightStore weights = WeightInitializer.forTesting(spec, 3);
        try (OpenCvReference opencv = new OpenCvReference(spec, weights, dir)) {
            PrecisionCheck.run("yolov4.cfg @160", spec, weights, opencv::heads, 2, false);
        }
    }
}
