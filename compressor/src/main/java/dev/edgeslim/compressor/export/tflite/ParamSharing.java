package dev.edgeslim.compressor.export.tflite;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which feature maps must share int8 quantization parameters, recorded while the float graph is emitted.
 * TFLite's int8 PAD, MAX_POOL_2D, SLICE, SPLIT, RESHAPE and CONCATENATION move values without
 * rescaling them (CONCATENATION requires equal scale and zero point on every input and the output), so a
 * pass-through op's output joins its inputs' class. A "source" is a map computed by arithmetic (conv, add,
 * activation, the image): each class takes the union of its sources' observed ranges, so no value in it is
 * clipped and no requantize op is needed.
 */
final class ParamSharing {
    private final Map<String, String> parent = new HashMap<>();
    private final Set<String> sources = new LinkedHashSet<>();

    /** {@code name} is computed by arithmetic; its observed range counts. */
    void source(String name) {
        parent.putIfAbsent(name, name);
        sources.add(name);
    }

    /** {@code a} and {@code b} must have identical quantization. */
    void share(String a, String b) {
        parent.putIfAbsent(a, a);
        parent.putIfAbsent(b, b);
        String ra = root(a);
        String rb = root(b);
        if (!ra.equals(rb)) {
            parent.put(rb, ra);
        }
    }

    Set<String> sources() {
        return Collections.unmodifiableSet(sources);
    }

    private String root(String name) {
        String r = name;
        while (!parent.get(r).equals(r)) {
            r = parent.get(r);
        }
        // path compression
        String n = name;
        while (!parent.get(n).equals(r)) {
            String next = parent.get(n);
            parent.put(n, r);
            n = next;
        }
        return r;
    }

    /**
     * Parameters for every recorded name from the sources' ranges ({min, max} per source name).
     *
     * @throws IllegalArgumentException when a source has no range
     */
    Map<String, QuantParams> resolve(Map<String, double[]> ranges) {
        Map<String, double[]> classRange = new HashMap<>();
        for (String s : sources) {
            double[] r = ranges.get(s);
            if (r == null) {
                throw new IllegalArgumentException("no calibration range for '" + s + "'");
            }
            classRange.merge(root(s), r.clone(), (a, b) -> new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        Map<String, QuantParams> params = new LinkedHashMap<>();
        for (String name : parent.keySet()) {
            double[] r = classRange.get(root(name));
            if (r == null) {
                throw new IllegalArgumentException("'" + name + "' is not derived from any computed value");
            }
            params.put(name, QuantParams.fromRange(r[0], r[1]));
        }
        return params;
    }
}
