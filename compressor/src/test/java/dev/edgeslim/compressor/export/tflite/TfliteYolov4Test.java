package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;

/**
 * Full YOLOv4 (72 Mish activations, SPP, PAN; 64 M parameters) at 160×160 against the TF Java inference graph,
 * fp32 and int8. fp16 takes the same paths as on the tiny networks and would only add a 128 MB export to this
 * already heavy test.
 */
class TfliteYolov4Test {

    @Test
    void yolov4() {
        NetworkSpec spec = TfliteUpstreamCfgTest.upstream("yolov4.cfg", 160);
        WeightStore weights = WeightInitializer.forTesting(spec, 3);
        try (InferenceModel tf = InferenceModel.create(spec, weights, 2)) {
            PrecisionCheck.run("yolov4.cfg @160", spec, weights, image -> tf.run(image, 1), 2, false);
        }
    }
}
