package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.cli.CliRunner;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The upstream tiny darknet cfgs exported at fp32, fp16 and int8 and run by the TFLite runtime, against OpenCV
 * DNN's darknet importer on the same weights ({@link PrecisionCheck} states the tolerances).
 */
class TfliteUpstreamCfgTest {

    static NetworkSpec upstream(String name, int size) {
        return CfgParser.parse(CliRunner.sharedCfg(name)).withInputSize(size, size);
    }

    private static void check(String cfg, int size, Path dir) throws Exception {
        NetworkSpec spec = upstream(cfg, size);
        WeightStore weights = WeightInitializer.forTesting(spec, 3);
        try (OpenCvReference opencv = new OpenCvReference(spec, weights, dir)) {
            PrecisionCheck.run(cfg + " @" + size, spec, weights, opencv::heads, 4);
        }
    }

    @Test
    void yolov4Tiny(@TempDir Path dir) throws Exception {
        check("yolov4-tiny.cfg", 416, dir);
    }

    @Test
    void yolov3Tiny(@TempDir Path dir) throws Exception {
        check("yolov3-tiny.cfg", 320, dir);
    }
}
