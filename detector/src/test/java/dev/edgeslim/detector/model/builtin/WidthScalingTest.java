package dev.edgeslim.detector.model.builtin;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.YoloLayer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WidthScalingTest {
    @Test
    void yolov4CfgAtAQuarterWidthIsTheBuiltInYolov4W025() {
        NetworkSpec scaled = WidthScaling.scale(CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg")), 0.25, 20);
        NetworkSpec builtin = BuiltinModels.yolov4(20, 608, 608, 0.25, 1);
        assertEquals(builtin.size(), scaled.size());
        for (int i = 0; i < builtin.size(); i++) {
            assertEquals(builtin.layer(i).section(), scaled.layer(i).section(), "layer " + i);
            assertEquals(builtin.shapeOf(i), scaled.shapeOf(i), "layer " + i);
        }
        assertEquals(builtin.totalParams(), scaled.totalParams());
        assertEquals(builtin.totalFlops(), scaled.totalFlops());
    }

    @Test
    void everyUpstreamCfgScalesToFewerParametersAndTheGivenClasses() {
        List<String> scaledCfgs = new ArrayList<>();
        for (Path cfg : ReferenceFiles.allCfgs()) {
            NetworkSpec spec = CfgParser.parse(cfg);
            NetworkSpec scaled;
            try {
                scaled = WidthScaling.scale(spec, 0.25, 3);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains("grouped convolution") || e.getMessage().contains("no [yolo]"),
                        cfg + ": " + e.getMessage());
                continue;
            }
            scaledCfgs.add(cfg.getFileName().toString());
            assertTrue(scaled.totalParams() < spec.totalParams() / 4, cfg.toString());
            for (int y : scaled.yoloLayers()) {
                YoloLayer yolo = (YoloLayer) scaled.layer(y);
                assertEquals(3, yolo.classes(), cfg.toString());
                assertEquals(yolo.mask().size() * 8, ((ConvLayer) scaled.layer(y - 1)).filters(), cfg.toString());
            }
            for (int c : scaled.convLayers()) {
                int filters = scaled.conv(c).filters();
                assertTrue(filters % 8 == 0 || scaled.consumersOf(c).stream()
                        .anyMatch(k -> scaled.layer(k) instanceof YoloLayer), cfg + " layer " + c + ": " + filters);
            }
        }
        System.out.println("scaled to width 0.25, 3 classes: " + scaledCfgs.size() + " cfgs " + scaledCfgs);
        assertTrue(scaledCfgs.containsAll(List.of("yolov4-csp.cfg", "yolov4-csp-swish.cfg", "yolov4-csp-s-mish.cfg",
                "yolov4x-mish.cfg", "yolov7-tiny.cfg", "yolov4-tiny-3l.cfg", "yolov3.cfg", "yolov3-spp.cfg",
                "yolov4-tiny.cfg")), scaledCfgs.toString());
    }

    @Test
    void aWidthOutOfRangeOrANetworkWithoutHeadIsRefused() {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        assertThrows(IllegalArgumentException.class, () -> WidthScaling.scale(spec, 0, 20));
        assertThrows(IllegalArgumentException.class, () -> WidthScaling.scale(spec, 5, 20));
        assertThrows(IllegalArgumentException.class, () -> WidthScaling.scale(spec, 0.5, 0));
        NetworkSpec headless = CfgParser.parse("[net]\nwidth=64\nheight=64\nchannels=3\n[convolutional]\nfilters=8\n"
                + "size=3\nstride=1\npad=1\nactivation=leaky\n", "headless.cfg");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WidthScaling.scale(headless, 0.5, 20));
        assertTrue(e.getMessage().contains("no [yolo]"), e.getMessage());
    }
}
