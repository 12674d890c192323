package dev.edgeslim.compressor.prune;

import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a detector into pruning groups by position, from the spec's structure alone (no layer indices, no model
 * names). Every layer gets exactly one group. The rules, applied in this order:
 * <ol>
 *   <li><b>heads</b> ("head/sN", N = the [yolo] layer's stride): each [yolo] layer, the layer feeding it (the
 *       1x1 output convolution) and, walking back, the stride-1 convolutions read only by that chain, up to and
 *       including the first one with a kernel larger than 1x1 (the last 3x3 before the output conv).</li>
 *   <li>u0 = the first [upsample] (the network size when there is none); D = the deepest stride among the
 *       non-head layers before u0; the deepest backbone stage starts at the first layer with stride D.</li>
 *   <li>An <i>SPP route</i> is a multi-input [route] reading a stride-1 [maxpool] of size > 1; the SPP block's
 *       entry is the earliest layer such a route or its maxpools read.</li>
 *   <li><b>backbone</b> ("backbone/sN", N = the layer's output stride): layers from 0 through b, where b is,
 *       among layers at stride D before the SPP entry (or before u0 without SPP): the last <i>join</i> (a
 *       [shortcut] or a multi-input [route]) or, when a multi-input route is directly followed by a 1x1
 *       convolution reading only it (a CSP transition), that convolution; without any join at stride D, b is
 *       the first convolution at stride D (each stage keeps at least one convolution).</li>
 *   <li><b>top-down</b>: the chain of single-input layers read only by the next one that feeds u0 (the
 *       lateral 1x1 convolution before the first upsample), and every non-head layer from u0 up to the first
 *       head layer after the last [upsample] (resolution increasing).</li>
 *   <li><b>neck</b> ("neck/spp" when it holds an SPP route): the remaining layers after the backbone and before
 *       u0.</li>
 *   <li><b>bottom-up</b>: the remaining layers after that head (the stride-2 path back down, PANet).</li>
 * </ol>
 * YOLOv4 gives backbone/s1..s32 = the CSP stages, neck/spp = the 3+3 convolutions around SPP, top-down = the
 * FPN path to the stride-8 head, bottom-up = the PAN path, and 3 heads; yolov4-tiny and yolov3-tiny give
 * backbone stages, a one-convolution neck, a short top-down path and two heads.
 */
public final class AutoGroups {
    private AutoGroups() {
    }

    /** Group name per layer (index = layer), following the rules above. */
    public static String[] names(NetworkSpec spec) {
        int n = spec.size();
        String[] name = new String[n];
        List<Integer> yolos = spec.yoloLayers();
        Map<String, Integer> headNames = new LinkedHashMap<>();
        for (int y : yolos) {
            String base = "head/s" + spec.strideOf(y);
            int count = headNames.merge(base, 1, Integer::sum);
            String g = count == 1 ? base : base + "-" + count;
            name[y] = g;
            int o = spec.inputsOf(y).get(0);
            if (o < 0 || name[o] != null) {
                continue;
            }
            name[o] = g;
            int next = o;
            int p = spec.inputsOf(o).get(0);
            while (spec.layer(next) instanceof ConvLayer && p >= 0 && name[p] == null
                    && spec.layer(p) instanceof ConvLayer c && c.stride() == 1
                    && spec.consumersOf(p).equals(List.of(next))) {
                name[p] = g;
                if (c.size() > 1) {
                    break;
                }
                next = p;
                p = spec.inputsOf(p).get(0);
            }
        }
        int u0 = n;
        int lastUp = -1;
        for (int l = 0; l < n; l++) {
            if (spec.layer(l) instanceof UpsampleLayer) {
                u0 = Math.min(u0, l);
                lastUp = l;
            }
        }
        int deepest = 1;
        for (int l = 0; l < u0; l++) {
            if (name[l] == null) {
                deepest = Math.max(deepest, spec.strideOf(l));
            }
        }
        int firstDeep = 0;
        while (firstDeep < u0 && (name[firstDeep] != null || spec.strideOf(firstDeep) != deepest)) {
            firstDeep++;
        }
        int sppEntry = -1;
        for (int l = 0; l < u0; l++) {
            if (name[l] == null && isSppRoute(spec, l)) {
                int entry = l;
                for (int in : spec.inputsOf(l)) {
                    entry = Math.min(entry, in);
                    if (spec.layer(in) instanceof MaxPoolLayer) {
                        entry = Math.min(entry, spec.inputsOf(in).get(0));
                    }
                }
                sppEntry = sppEntry < 0 ? entry : Math.min(sppEntry, entry);
            }
        }
        int limit = sppEntry >= 0 ? sppEntry : u0;
        int backboneEnd = -1;
        for (int l = firstDeep; l < limit && l < n; l++) {
            if (name[l] != null || spec.strideOf(l) != deepest) {
                continue;
            }
            if (isJoin(spec, l)) {
                backboneEnd = l;
            } else if (backboneEnd == l - 1 && l > 0 && spec.layer(l) instanceof ConvLayer c && c.size() == 1
                    && spec.inputsOf(l).get(0) == l - 1 && spec.layer(l - 1) instanceof RouteLayer
                    && spec.consumersOf(l - 1).equals(List.of(l))) {
                backboneEnd = l; // CSP transition convolution closing the stage
            }
        }
        if (backboneEnd < 0) {
            backboneEnd = firstDeep;
            for (int l = firstDeep; l < limit && l < n; l++) {
                if (name[l] == null && spec.layer(l) instanceof ConvLayer) {
                    backboneEnd = l;
                    break;
                }
            }
        }
        for (int l = 0; l <= backboneEnd && l < n; l++) {
            if (name[l] == null) {
                name[l] = "backbone/s" + spec.strideOf(l);
            }
        }
        if (u0 < n) {
            int next = u0;
            int p = spec.inputsOf(u0).get(0);
            while (p > backboneEnd && name[p] == null && spec.inputsOf(p).size() == 1
                    && spec.consumersOf(p).equals(List.of(next))) {
                name[p] = "top-down";
                next = p;
                p = spec.inputsOf(p).get(0);
            }
        }
        boolean spp = false;
        for (int l = backboneEnd + 1; l < u0; l++) {
            spp |= name[l] == null && isSppRoute(spec, l);
        }
        for (int l = backboneEnd + 1; l < u0; l++) {
            if (name[l] == null) {
                name[l] = spp ? "neck/spp" : "neck";
            }
        }
        int firstHeadAfterUp = n;
        for (int l = lastUp + 1; l < n && lastUp >= 0; l++) {
            if (name[l] != null && name[l].startsWith("head/")) {
                firstHeadAfterUp = l;
                break;
            }
        }
        for (int l = u0; l < n; l++) {
            if (name[l] == null) {
                name[l] = l < firstHeadAfterUp ? "top-down" : "bottom-up";
            }
        }
        return name;
    }

    /** The automatic groups, ordered by their first layer, all with {@code options}. */
    public static List<PruneGroup> groups(NetworkSpec spec, GroupOptions options) {
        String[] names = names(spec);
        Map<String, List<Integer>> byName = new LinkedHashMap<>();
        for (int l = 0; l < names.length; l++) {
            byName.computeIfAbsent(names[l], k -> new ArrayList<>()).add(l);
        }
        List<PruneGroup> out = new ArrayList<>();
        byName.forEach((k, v) -> out.add(new PruneGroup(k, v, options)));
        return out;
    }

    private static boolean isJoin(NetworkSpec spec, int l) {
        Layer layer = spec.layer(l);
        return layer instanceof ShortcutLayer || (layer instanceof RouteLayer r && r.layers().size() > 1);
    }

    private static boolean isSppRoute(NetworkSpec spec, int l) {
        if (!(spec.layer(l) instanceof RouteLayer r) || r.layers().size() < 2) {
            return false;
        }
        for (int in : r.layers()) {
            if (spec.layer(in) instanceof MaxPoolLayer m && m.stride() == 1 && m.size() > 1) {
                return true;
            }
        }
        return false;
    }
}
