package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetOptions;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Writes a {@link NetworkSpec} as a darknet cfg that darknet, OpenCV DNN and {@link CfgParser} read back to
 * an equal spec. References are written relative (negative) as upstream cfgs do.
 */
public final class CfgWriter {
    private CfgWriter() {
    }

    public static void write(NetworkSpec spec, Path file) throws IOException {
        AtomicFiles.writeString(file, toText(spec));
    }

    public static String toText(NetworkSpec spec) {
        StringBuilder b = new StringBuilder();
        writeNet(b, spec.net());
        for (int i = 0; i < spec.size(); i++) {
            b.append('\n');
            b.append("# ").append(i).append('\n');
            writeLayer(b, spec.layer(i), i);
        }
        return b.toString();
    }

    private static void writeNet(StringBuilder b, NetOptions n) {
        b.append("[net]\n");
        kv(b, "batch", n.batch());
        kv(b, "subdivisions", n.subdivisions());
        kv(b, "width", n.width());
        kv(b, "height", n.height());
        kv(b, "channels", n.channels());
        kv(b, "momentum", num(n.momentum()));
        kv(b, "decay", num(n.decay()));
        kv(b, "learning_rate", num(n.learningRate()));
        kv(b, "burn_in", n.burnIn());
        kv(b, "max_batches", n.maxBatches());
        kv(b, "policy", n.policy());
        if (!n.steps().isEmpty()) {
            kv(b, "steps", n.steps().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        if (!n.scales().isEmpty()) {
            kv(b, "scales", n.scales().stream().map(CfgWriter::num).collect(Collectors.joining(",")));
        }
        extras(b, n.extras());
    }

    private static void writeLayer(StringBuilder b, Layer layer, int index) {
        if (layer instanceof ConvLayer c) {
                b.append("[convolutional]\n");
                if (c.batchNormalize()) {
                    kv(b, "batch_normalize", 1);
                }
                kv(b, "filters", c.filters());
                kv(b, "size", c.size());
                kv(b, "stride", c.stride());
                if (c.padding() == c.size() / 2) {
                    kv(b, "pad", 1);
                } else {
                    kv(b, "padding", c.padding());
                }
                if (c.groups() != 1) {
                    kv(b, "groups", c.groups());
                }
                kv(b, "activation", c.activation().cfgName());
                extras(b, c.extras());
        } else if (layer instanceof RouteLayer r) {
                b.append("[route]\n");
                kv(b, "layers", relative(r.layers(), index));
                if (r.groups() != 1) {
                    kv(b, "groups", r.groups());
                    kv(b, "group_id", r.groupId());
                }
        } else if (layer instanceof ShortcutLayer s) {
                b.append("[shortcut]\n");
                kv(b, "from", relative(s.from(), index));
                kv(b, "activation", s.activation().cfgName());
        } else if (layer instanceof MaxPoolLayer m) {
                b.append("[maxpool]\n");
                kv(b, "size", m.size());
                kv(b, "stride", m.stride());
                if (m.padding() != m.size() - 1) {
                    kv(b, "padding", m.padding());
                }
        } else if (layer instanceof UpsampleLayer u) {
                b.append("[upsample]\n");
                kv(b, "stride", u.stride());
                if (u.scale() != 1.0) {
                    kv(b, "scale", num(u.scale()));
                }
        } else if (layer instanceof YoloLayer y) {
                b.append("[yolo]\n");
                kv(b, "mask", y.mask().stream().map(String::valueOf).collect(Collectors.joining(",")));
                kv(b, "anchors", y.anchors().stream().map(CfgWriter::num).collect(Collectors.joining(", ")));
                kv(b, "classes", y.classes());
                kv(b, "num", y.num());
                kv(b, "scale_x_y", num(y.scaleXY()));
                kv(b, "ignore_thresh", num(y.ignoreThresh()));
                kv(b, "truth_thresh", num(y.truthThresh()));
                kv(b, "iou_thresh", num(y.iouThresh()));
                if (y.newCoords()) {
                    kv(b, "new_coords", 1);
                }
                extras(b, y.extras());
        }
    }

    private static String relative(List<Integer> refs, int index) {
        return refs.stream().map(r -> String.valueOf(r - index)).collect(Collectors.joining(","));
    }

    /** Shortest decimal text that parses back to the same double. */
    static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return String.valueOf((long) d);
        }
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static void kv(StringBuilder b, String key, Object value) {
        b.append(key).append('=').append(value).append('\n');
    }

    private static void extras(StringBuilder b, Map<String, String> extras) {
        // sorted so the written file does not depend on map iteration order
        new TreeMap<>(extras).forEach((k, v) -> kv(b, k, v));
    }
}
