package dev.edgeslim.detector.model.builtin;

import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.NetOptions;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.ShapeException;
import dev.edgeslim.detector.model.ShortcutLayer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpecBuilderTest {

    @Test
    void relativeAndMarkedReferencesResolveToAbsoluteIndices() {
        SpecBuilder b = new SpecBuilder(NetOptions.defaults(64, 64));
        assertEquals(0, b.next());
        b.conv(16, 3, 1, Activation.MISH).mark("stem");
        int blockInput = b.last();
        b.conv(8, 1, 1, Activation.MISH).conv(16, 3, 1, Activation.MISH).shortcut(blockInput);
        assertEquals(3, b.last());
        b.route(-1, b.at("stem")).routeGroup(-1, 2, 1).maxpool(2, 2).upsample(2);
        b.headConv(3 * (5 + 1));
        b.yolo(List.of(0, 1, 2), List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0), 1, 1.05, 0.7, 0.213, Map.of());
        NetworkSpec spec = b.build();
        assertEquals(List.of(0), ((ShortcutLayer) spec.layer(3)).from());
        assertEquals(List.of(3, 0), ((RouteLayer) spec.layer(4)).layers());
        assertEquals(new Shape(64, 64, 32), spec.shapeOf(4));
        assertEquals(new Shape(64, 64, 16), spec.shapeOf(5));
        assertEquals(new Shape(32, 32, 16), spec.shapeOf(6));
        assertEquals(new Shape(64, 64, 18), spec.shapeOf(9));
        assertEquals(1, spec.conv(0).padding());
        assertEquals(0, spec.conv(8).padding());
    }

    @Test
    void badReferencesAndMarksFailEarly() {
        SpecBuilder b = new SpecBuilder(NetOptions.defaults(64, 64));
        assertThrows(IllegalStateException.class, b::last);
        b.conv(16, 3, 1, Activation.LEAKY).mark("a");
        assertThrows(IllegalStateException.class, () -> b.mark("a"));
        assertThrows(IllegalStateException.class, () -> b.at("missing"));
        assertThrows(IllegalArgumentException.class, () -> b.route(-2));
        assertThrows(IllegalArgumentException.class, () -> b.shortcut(1));
        b.conv(8, 1, 1, Activation.LEAKY).shortcut(0); // 8 vs 16 channels
        assertThrows(ShapeException.class, b::build);
    }
}
