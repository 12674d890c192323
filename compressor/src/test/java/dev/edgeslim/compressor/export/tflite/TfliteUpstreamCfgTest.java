package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.cli.CliRunner;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upstream tiny darknet cfgs exported at fp32, fp16 and int8 and run by the TFLite runtime, against the TF
 * Java inference graph ({@link InferenceModel}) on the same weights and input ({@link PrecisionCheck} states the
 * tolerances); fp32 is also checked against OpenCV DNN's darknet importer, a third, independent implementation.
 */
class TfliteUpstreamCfgTest {

    static NetworkSpec upstream(String name, int size) {
        return CfgParser.parse(dev.edgeslim.detector.ReferenceFiles.cfg(name)).withInputSize(size, size);
    }

    private static void check(String cfg, int size) {
        NetworkSpec spec = upstream(cfg, size);
        WeightStore weights = WeightInitializer.forTesting(spec, 3);
        try (InferenceModel tf = InferenceModel.create(spec, weights, 2)) {
            PrecisionCheck.run(cfg + " @" + size, spec, weights, image -> tf.run(image, 1), 4);
        }
    }

    @Test
    void yolov4Tiny() {
        check("yolov4-tiny.cfg", 416);
    }

    @Test
    void yolov3Tiny() {
        check("yolov3-tiny.cfg", 320);
    }

    @Test
    void fp32AlsoMatchesOpenCv(@TempDir Path dir) throws Exception {
        NetworkSpec spec = upstream("yolov4-tiny.cfg", 416);
        WeightStore weights = WeightInitializer.forTesting(spec, 8);
        float[] image = new SyntheticImages(4, 1).image(0, 416, 416);
        try (OpenCvReference opencv = new OpenCvReference(spec, weights, dir);
             TfliteRunner runner = TfliteRunner.load(TfliteExporter.export(spec, weights, ExportOptions.fp32()).model(),
                     2, TfliteRunner.Delegates.DEFAULT)) {
            double err = OutputErrors.maxRelative(runner.run(image), opencv.heads(image));
            System.out.printf("yolov4-tiny @416 fp32 vs OpenCV DNN: max rel error %.1e%n", err);
            assertTrue(err < PrecisionCheck.FP32_TOLERANCE, "error " + err);
        }
    }
}
