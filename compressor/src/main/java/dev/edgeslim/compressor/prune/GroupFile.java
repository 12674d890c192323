package dev.edgeslim.compressor.prune;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.SmallTextFile;
import dev.edgeslim.detector.model.NetworkSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-written group definition replacing {@link AutoGroups}. One group per line:
 * <pre>
 * # name        layers          options (optional, override the command-line defaults)
 * backbone      0-104
 * neck          105-116         ratio=0.6
 * top-down      117-136         percentile=40 round8=true
 * heads         137-161         ratio=0 floor-k=8 floor-percent=20 weight=0
 * </pre>
 * Layers are comma-separated indices or inclusive ranges (no spaces). Options: {@code ratio}, {@code percentile},
 * {@code floor-k}, {@code floor-percent}, {@code round8} (true/false), {@code weight} (target search). Layers
 * not listed belong to no group: their convolutions do not vote, and a coupled set without any voter keeps all
 * its channels. Errors (syntax, unknown option, a layer outside the network, a layer in two groups, a repeated
 * group name) are {@link BadInputException}s naming the file and line.
 */
public final class GroupFile {
    static final long MAX_BYTES = 1 << 20;

    private GroupFile() {
    }

    public static List<PruneGroup> read(Path file, NetworkSpec spec, GroupOptions defaults) {
        String text = SmallTextFile.read(file, MAX_BYTES, "a group definition");
        return parse(text, file.toString(), spec, defaults);
    }

    public static List<PruneGroup> parse(String text, String source, NetworkSpec spec, GroupOptions defaults) {
        List<PruneGroup> groups = new ArrayList<>();
        Map<Integer, String> owner = new HashMap<>();
        Map<String, Integer> nameLine = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length < 2) {
                throw new BadInputException(source, lineNo, "expected 'NAME LAYERS [key=value ...]', found '"
                        + abbreviate(line) + "'");
            }
            String name = parts[0];
            if (nameLine.containsKey(name)) {
                throw new BadInputException(source, lineNo, "group '" + abbreviate(name)
                        + "' is already defined on line " + nameLine.get(name));
            }
            nameLine.put(name, lineNo);
            List<Integer> layers = layers(parts[1], source, lineNo, spec);
            for (int l : layers) {
                String previous = owner.putIfAbsent(l, name);
                if (previous != null) {
                    throw new BadInputException(source, lineNo, "layer " + l + " is in group '" + previous
                            + "' and in group '" + name + "'; groups must not overlap");
                }
            }
            GroupOptions options = defaults;
            for (int k = 2; k < parts.length; k++) {
                options = option(options, parts[k], source, lineNo);
            }
            groups.add(new PruneGroup(name, layers, options));
        }
        if (groups.isEmpty()) {
            throw new BadInputException(source, "defines no group (expected lines 'NAME LAYERS [key=value ...]')");
        }
        return groups;
    }

    private static List<Integer> layers(String text, String source, int line, NetworkSpec spec) {
        List<Integer> out = new ArrayList<>();
        for (String item : text.split(",")) {
            String[] ends = item.split("-", -1);
            if (item.isEmpty() || ends.length > 2) {
                throw new BadInputException(source, line, "layers must be indices or ranges like 0-10,12; found '"
                        + abbreviate(text) + "'");
            }
            int from = index(ends[0], text, source, line, spec);
            int to = ends.length == 2 ? index(ends[1], text, source, line, spec) : from;
            if (to < from) {
                throw new BadInputException(source, line, "range " + abbreviate(item) + " is backwards");
            }
            for (int l = from; l <= to; l++) {
                if (out.contains(l)) {
                    throw new BadInputException(source, line, "layer " + l + " is listed twice");
                }
                out.add(l);
            }
        }
        return out;
    }

    private static int index(String s, String text, String source, int line, NetworkSpec spec) {
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new BadInputException(source, line, "layers must be indices or ranges like 0-10,12; found '"
                    + abbreviate(text) + "'");
        }
        if (v < 0 || v >= spec.size()) {
            throw new BadInputException(source, line, "layer " + v + " does not exist: the network has "
                    + spec.size() + " layers (0.." + (spec.size() - 1) + ")");
        }
        return v;
    }

    private static GroupOptions option(GroupOptions o, String kv, String source, int line) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new BadInputException(source, line, "expected key=value, found '" + abbreviate(kv) + "'");
        }
        String key = kv.substring(0, eq);
        String value = kv.substring(eq + 1);
        try {
            return switch (key) {
                case "ratio" -> o.withRatio(number(value));
                case "percentile" -> o.withPercentile(number(value));
                case "floor-k" -> o.withFloor(Integer.parseInt(value), o.floorPercent());
                case "floor-percent" -> o.withFloor(o.floorK(), number(value));
                case "weight" -> o.withWeight(number(value));
                case "round8" -> {
                    if (!value.equals("true") && !value.equals("false")) {
                        throw new IllegalArgumentException("round8 must be true or false, got '" + abbreviate(value)
                                + "'");
                    }
                    yield o.withRound8(Boolean.parseBoolean(value));
                }
                default -> throw new BadInputException(source, line, "unknown option '" + abbreviate(key)
                        + "' (known: ratio, percentile, floor-k, floor-percent, round8, weight)");
            };
        } catch (NumberFormatException e) {
            throw new BadInputException(source, line, key + " must be a number, got '" + abbreviate(value) + "'");
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source, line, e.getMessage());
        }
    }

    /** A quoted excerpt of the input, short enough for a one-line message. */
    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static double number(String s) {
        double d = Double.parseDouble(s);
        if (!Double.isFinite(d)) {
            throw new NumberFormatException(s);
        }
        return d;
    }
}
