package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inputs the exporter cannot turn into a model: one-line BadInputExceptions naming the source. */
class TfliteExporterErrorsTest {

    private static BadInputException rejects(NetworkSpec spec, WeightStore weights, ExportOptions options) {
        BadInputException e = assertThrows(BadInputException.class,
                () -> TfliteExporter.export(spec, weights, options.withSource("model.weights")));
        assertTrue(e.getMessage().startsWith("model.weights: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }

    @Test
    void weightsOfAnotherNetwork() {
        NetworkSpec spec = TfliteExportParityTest.allFeatures();
        NetworkSpec other = TfliteUpstreamCfgTest.upstream("yolov4-tiny.cfg", 64);
        BadInputException e = rejects(spec, WeightInitializer.forTesting(other, 1), ExportOptions.fp32());
        assertTrue(e.getMessage().contains("do not match"), e.getMessage());
    }

    @Test
    void nonFiniteWeights() {
        NetworkSpec spec = TfliteExportParityTest.allFeatures();
        WeightStore weights = WeightInitializer.forTesting(spec, 1);
        ConvWeights c = weights.conv(2).copy();
        c.weights()[5] = Float.NaN;
        BadInputException e = rejects(spec, weights.with(2, c), ExportOptions.fp32());
        assertTrue(e.getMessage().contains("l2") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void valuesOutsideTheFloat16Range() {
        NetworkSpec spec = TfliteExportParityTest.allFeatures();
        WeightStore weights = WeightInitializer.forTesting(spec, 1);
        ConvWeights c = weights.conv(11).copy();
        c.biases()[0] = 1e6f;
        BadInputException e = rejects(spec, weights.with(11, c), ExportOptions.fp16());
        assertTrue(e.getMessage().contains("float16"), e.getMessage());
        TfliteExporter.export(spec, weights.with(11, c), ExportOptions.fp32()); // fine at fp32
    }

    @Test
    void aNetworkWithoutYoloLayers() {
        NetworkSpec spec = CfgParser.parse("""
                [net]
                width=32
                height=32
                channels=3

                [convolutional]
                filters=4
                size=3
                stride=1
                pad=1
                activation=mish
                """, "headless.cfg");
        BadInputException e = rejects(spec, WeightInitializer.forTesting(spec, 1), ExportOptions.fp32());
        assertTrue(e.getMessage().contains("no [yolo] layer"), e.getMessage());
    }

    @Test
    void classNamesThatDoNotMatch() {
        NetworkSpec spec = TfliteExportParityTest.allFeatures();
        BadInputException e = rejects(spec, WeightInitializer.forTesting(spec, 1),
                ExportOptions.fp32().withClassNames(List.of("a", "b")));
        assertTrue(e.getMessage().contains("2 class names"), e.getMessage());
    }

    @Test
    void int8NeedsCalibrationImages() {
        assertThrows(NullPointerException.class, () -> ExportOptions.int8(null, 1, 100));
        assertThrows(IllegalArgumentException.class, () -> ExportOptions.int8(new SyntheticImages(1, 2), 3, 100));
        assertThrows(IllegalArgumentException.class, () -> ExportOptions.int8(new SyntheticImages(1, 2), 2, 40));
        assertThrows(IllegalArgumentException.class, () -> ExportOptions.fp32().withFloatIo(true));
    }
}
