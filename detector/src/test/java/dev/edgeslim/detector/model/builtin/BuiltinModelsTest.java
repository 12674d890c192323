package dev.edgeslim.detector.model.builtin;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.YoloLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuiltinModelsTest {

    /** The layer without its extras map (training-only options the equality contract ignores). */
    private static Layer withoutExtras(Layer layer) {
        if (layer instanceof ConvLayer c) {
            return new ConvLayer(c.filters(), c.size(), c.stride(), c.padding(), c.groups(), c.batchNormalize(),
                    c.activation(), Map.of());
        }
        if (layer instanceof YoloLayer y) {
            return new YoloLayer(y.mask(), y.anchors(), y.classes(), y.num(), y.scaleXY(), y.ignoreThresh(),
                    y.truthThresh(), y.iouThresh(), Map.of());
        }
        return layer;
    }

    private static void assertSameTopology(NetworkSpec expected, NetworkSpec actual) {
        assertEquals(expected.net().width(), actual.net().width());
        assertEquals(expected.net().height(), actual.net().height());
        assertEquals(expected.net().channels(), actual.net().channels());
        assertEquals(expected.size(), actual.size(), "layer count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(withoutExtras(expected.layer(i)), withoutExtras(actual.layer(i)), "layer " + i);
        }
        assertEquals(expected.totalParams(), actual.totalParams());
        assertEquals(expected.totalFlops(), actual.totalFlops());
    }

    @Test
    void yolov4EqualsUpstreamCfgAt608() {
        NetworkSpec upstream = CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg"));
        assertSameTopology(upstream, BuiltinModels.yolov4(80, 608, 608, 1, 1));
        assertSameTopology(upstream, BuiltinModels.byName("yolov4", 80, 608));
    }

    @Test
    void yolov4TinyEqualsUpstreamCfgAt416() {
        NetworkSpec upstream = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        assertSameTopology(upstream, BuiltinModels.yolov4Tiny(80, 416, 416, 1));
        assertSameTopology(upstream, BuiltinModels.byName("yolov4-tiny", 80, 416));
    }

    @Test
    void quarterWidthKeepsTopologyWithAboutOneSixteenthOfTheParameters() {
        NetworkSpec full = BuiltinModels.yolov4(20, 416, 416, 1, 1);
        NetworkSpec slim = BuiltinModels.yolov4(20, 416, 416, 0.25, 1);
        assertEquals(full.size(), slim.size());
        for (int i = 0; i < full.size(); i++) {
            assertEquals(full.layer(i).section(), slim.layer(i).section(), "section of layer " + i);
            assertEquals(full.inputsOf(i), slim.inputsOf(i), "inputs of layer " + i);
        }
        double ratio = (double) slim.totalParams() / full.totalParams();
        assertTrue(ratio > 1 / 18.0 && ratio < 1 / 14.0, "params ratio " + ratio);
        double flopsRatio = (double) slim.totalFlops() / full.totalFlops();
        assertTrue(flopsRatio > 1 / 18.0 && flopsRatio < 1 / 14.0, "flops ratio " + flopsRatio);
        for (int i : slim.convLayers()) {
            boolean head = slim.layer(i + 1) instanceof YoloLayer;
            int filters = slim.conv(i).filters();
            if (head) {
                assertEquals(3 * (5 + 20), filters, "head conv " + i);
            } else {
                assertEquals(0, filters % 8, "conv " + i + " has " + filters + " filters");
                assertEquals(full.conv(i).filters() / 4, filters, "conv " + i);
            }
        }
    }

    @Test
    void oddWidthMultipleRoundsChannelsUpToMultiplesOfEight() {
        NetworkSpec spec = BuiltinModels.yolov4Tiny(3, 320, 320, 0.3);
        for (int i : spec.convLayers()) {
            int filters = spec.conv(i).filters();
            if (!(spec.layer(i + 1) instanceof YoloLayer)) {
                assertEquals(0, filters % 8, "conv " + i);
                assertTrue(filters >= 8);
            }
        }
        // 32 x 0.3 = 9.6 -> 16; 512 x 0.3 = 153.6 -> 160
        assertEquals(16, spec.conv(0).filters());
        assertEquals(160, spec.conv(26).filters());
    }

    private static long shortcuts(NetworkSpec spec) {
        return spec.layers().stream().filter(l -> l instanceof ShortcutLayer).count();
    }

    @Test
    void depthMultipleScalesResidualBlocksPerStage() {
        int[] blocks = {1, 2, 8, 8, 4};
        NetworkSpec full = BuiltinModels.yolov4(20, 320, 320, 1, 1);
        assertEquals(23, shortcuts(full));
        for (double depth : new double[] {0.33, 0.5, 2}) {
            ModelScale scale = new ModelScale(1, depth);
            int expected = 0;
            for (int n : blocks) {
                expected += scale.repeats(n);
            }
            NetworkSpec spec = BuiltinModels.yolov4(20, 320, 320, 1, depth);
            assertEquals(expected, shortcuts(spec), "depth " + depth);
            // each residual block is three layers (1x1 conv, 3x3 conv, shortcut)
            assertEquals(full.size() + 3 * (expected - 23), spec.size(), "depth " + depth);
            assertEquals(3, spec.yoloLayers().size());
        }
        assertEquals(9, shortcuts(BuiltinModels.yolov4(20, 320, 320, 1, 0.33))); // 1+1+3+3+1
    }

    @ParameterizedTest
    @ValueSource(strings = {"yolov4", "yolov4-w0.25", "yolov4-w0.25-d0.33", "yolov4-w.3-d1.5", "yolov4-tiny",
            "yolov4-tiny-w0.5"})
    void everyBuiltinRoundTripsThroughCfgAtSeveralSizes(String name, @TempDir Path dir) throws Exception {
        for (int size : new int[] {256, 320, 416}) {
            NetworkSpec spec = BuiltinModels.byName(name, 20, size);
            assertEquals(size, spec.net().width());
            assertEquals(size, spec.net().height());
            int coarsest = spec.yoloLayers().stream().mapToInt(i -> spec.shapeOf(i).height()).min().orElseThrow();
            assertEquals(size / 32, coarsest);
            Path file = dir.resolve(name + "-" + size + ".cfg");
            CfgWriter.write(spec, file);
            NetworkSpec back = CfgParser.parse(file);
            assertEquals(spec, back, name + " at " + size);
            assertEquals(spec.net(), back.net());
            for (int i : spec.yoloLayers()) {
                assertEquals(20, ((YoloLayer) spec.layer(i)).classes());
            }
        }
    }

    @Test
    void anchorsEqualUpstreamAtReferenceSizeAndScaleLinearly() {
        List<Double> v4 = ((YoloLayer) lastLayer(CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg")))).anchors();
        List<Double> tiny = ((YoloLayer) lastLayer(CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg")))).anchors();
        assertEquals(v4, anchorsOf(BuiltinModels.yolov4(20, 608, 608, 0.5, 0.5)));
        assertEquals(tiny, anchorsOf(BuiltinModels.yolov4Tiny(20, 416, 416, 0.5)));
        assertEquals(v4, ReferenceAnchors.YOLOV4.pixels());
        assertEquals(tiny, ReferenceAnchors.YOLOV4_TINY.pixels());

        List<Double> doubled = anchorsOf(BuiltinModels.yolov4(20, 1216, 1216, 0.25, 0.33));
        List<Double> at320 = anchorsOf(BuiltinModels.yolov4(20, 320, 320, 1, 1));
        List<Double> tinyAt320 = anchorsOf(BuiltinModels.yolov4Tiny(20, 320, 320, 1));
        List<Double> wide = anchorsOf(BuiltinModels.yolov4Tiny(20, 832, 416, 1));
        for (int i = 0; i < v4.size(); i++) {
            assertEquals(2 * v4.get(i), doubled.get(i), 0.0, "anchor value " + i);
            assertEquals(v4.get(i) * 320 / 608, at320.get(i), 0.005, "anchor value " + i);
            assertEquals(at320.get(i), Math.round(at320.get(i) * 100) / 100.0, 1e-12, "rounded to 0.01");
        }
        for (int i = 0; i < tiny.size(); i++) {
            assertEquals(tiny.get(i) * 320 / 416, tinyAt320.get(i), 0.005, "tiny anchor value " + i);
            assertEquals(tiny.get(i) * (i % 2 == 0 ? 2 : 1), wide.get(i), 0.0, "non-square anchor value " + i);
        }
        // every head of one model shares the same anchor list
        NetworkSpec spec = BuiltinModels.yolov4(20, 320, 320, 1, 1);
        for (int i : spec.yoloLayers()) {
            assertEquals(at320, ((YoloLayer) spec.layer(i)).anchors());
        }
    }

    private static Layer lastLayer(NetworkSpec spec) {
        return spec.layer(spec.size() - 1);
    }

    private static List<Double> anchorsOf(NetworkSpec spec) {
        return ((YoloLayer) lastLayer(spec)).anchors();
    }

    @Test
    void headsMatchTheRequestedClassesAndStrides() {
        NetworkSpec spec = BuiltinModels.yolov4(20, 416, 416, 0.25, 0.33);
        List<Integer> heads = spec.yoloLayers();
        assertEquals(List.of(8, 16, 32), heads.stream().map(spec::strideOf).toList());
        for (int h : heads) {
            assertEquals(75, spec.conv(h - 1).filters());
        }
        NetworkSpec tiny = BuiltinModels.yolov4Tiny(1, 256, 256, 1);
        assertEquals(List.of(32, 16), tiny.yoloLayers().stream().map(tiny::strideOf).toList());
        assertEquals(18, tiny.conv(tiny.yoloLayers().get(0) - 1).filters());
        assertEquals(0.00261, tiny.net().learningRate());
        assertEquals(0.001, spec.net().learningRate());
        assertEquals(0.949, spec.net().momentum());
        assertEquals(40000, spec.net().maxBatches()); // 2000 x 20 classes
        assertEquals(List.of(32000, 36000), spec.net().steps());
    }

    @Test
    void byNameMatchesTheDirectFactories() {
        assertEquals(BuiltinModels.yolov4(20, 320, 320, 0.25, 0.33),
                BuiltinModels.byName("yolov4-w0.25-d0.33", 20, 320));
        assertEquals(BuiltinModels.yolov4(20, 320, 320, 0.25, 1), BuiltinModels.byName("YOLOv4-W0.25", 20, 320));
        assertEquals(BuiltinModels.yolov4(5, 256, 256, 1, 0.5), BuiltinModels.byName("yolov4-d.5", 5, 256));
        assertEquals(BuiltinModels.yolov4Tiny(20, 416, 416, 0.5), BuiltinModels.byName("yolov4-tiny-w0.5", 20, 416));
    }

    @Test
    void invalidRequestsAreRejectedWithClearMessages() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> BuiltinModels.byName("yolov5s", 20, 416));
        assertTrue(unknown.getMessage().contains("yolov5s") && unknown.getMessage().contains("yolov4-tiny[-wW]"),
                unknown.getMessage());
        for (String bad : new String[] {"", "yolov4-", "yolov4-w", "yolov4-wx", "yolov4-d0.5-w0.5", "yolov4-tiny-d0.5",
                "yolov4-w0", "yolov4-w5", "yolov4 tiny"}) {
            assertThrows(IllegalArgumentException.class, () -> BuiltinModels.byName(bad, 20, 416), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> BuiltinModels.byName(null, 20, 416));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> BuiltinModels.yolov4(20, 300, 300, 1, 1));
        assertTrue(size.getMessage().contains("multiple of 32"), size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BuiltinModels.yolov4Tiny(20, 0, 416, 1));
        assertThrows(IllegalArgumentException.class, () -> BuiltinModels.yolov4Tiny(20, 416, -32, 1));
        assertThrows(IllegalArgumentException.class, () -> BuiltinModels.yolov4Tiny(0, 416, 416, 1));
        assertThrows(IllegalArgumentException.class, () -> BuiltinModels.yolov4Tiny(20, 416, 416, 0));
        assertThrows(IllegalArgumentException.class, () -> BuiltinModels.yolov4Tiny(20, 416, 416, 4.01));
        assertThrows(IllegalArgumentException.class, () -> BuiltinModels.yolov4Tiny(20, 416, 416, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> BuiltinModels.yolov4(20, 416, 416, 1, 0));
        // over EdgeSlim's parameter limit: reported as an argument error, not a raw ShapeException
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> BuiltinModels.yolov4(20, 416, 416, 4, 4));
        assertTrue(huge.getMessage().contains("cannot be built"), huge.getMessage());
    }
}
