package dev.edgeslim.detector.cfg;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.DropoutLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.MaxPoolLayer;
import dev.edgeslim.detector.model.NetOptions;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.model.RouteLayer;
import dev.edgeslim.detector.model.ShapeException;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.UpsampleLayer;
import dev.edgeslim.detector.model.YoloLayer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Reads a darknet .cfg into a {@link NetworkSpec}. Follows darknet's parser: whitespace is ignored, '#' and ';'
 * start comment lines, relative route/shortcut references are resolved to absolute indices. Unlike darknet it
 * refuses unknown sections and options instead of ignoring them, and every error names the file and line.
 */
public final class CfgParser {
    /** Largest cfg accepted (upstream yolov4.cfg is ~12 KB). */
    public static final long MAX_CFG_BYTES = 4L << 20;

    private CfgParser() {
    }

    /** Parses {@code file}; the training-only options it keeps are reported to {@link CfgWarnings}. */
    public static NetworkSpec parse(Path file) {
        return parse(read(file), file.toString(),
                (source, kept) -> CfgWarnings.report(kept.keySet(), keptOptionsWarning(source, kept)));
    }

    /**
     * Parses {@code file}; when it holds training-only options ({@link TrainingOnlyOptions}), {@code warnings}
     * receives one line naming the file, the first such line and every such option once.
     */
    public static NetworkSpec parse(Path file, Consumer<String> warnings) {
        return parse(read(file), file.toString(), warnings);
    }

    private static String read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_CFG_BYTES) {
                throw new BadInputException(file, "cfg is " + size + " bytes, larger than the " + MAX_CFG_BYTES
                        + "-byte limit for a darknet cfg");
            }
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file, "no such file");
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read: " + e.getMessage());
        }
    }

    public static NetworkSpec parse(String text, String sourceName) {
        return parse(text, sourceName, warning -> { });
    }

    public static NetworkSpec parse(String text, String sourceName, Consumer<String> warnings) {
        return parse(text, sourceName, (source, kept) -> warnings.accept(keptOptionsWarning(source, kept)));
    }

    /** The parser; {@code keptOptions} receives the source and each kept option's first line, when there are any. */
    private static NetworkSpec parse(String text, String sourceName,
                                     BiConsumer<String, Map<String, Integer>> keptOptions) {
        if (text.length() > MAX_CFG_BYTES) {
            throw new BadInputException(sourceName, "cfg is larger than the " + MAX_CFG_BYTES + "-byte limit");
        }
        if (text.indexOf('\0') >= 0) {
            throw new BadInputException(sourceName, "not a darknet cfg (binary data)");
        }
        List<CfgSection> sections = split(text, sourceName);
        if (sections.isEmpty()) {
            throw new BadInputException(sourceName, "no sections: not a darknet cfg");
        }
        CfgSection first = sections.get(0);
        if (!first.name().equals("net") && !first.name().equals("network")) {
            throw new BadInputException(sourceName, first.line(), "the first section must be [net], got ["
                    + abbreviate(first.name()) + "]");
        }
        Map<String, Integer> kept = new LinkedHashMap<>();
        NetOptions net = readNet(sourceName, first, kept);
        List<Layer> layers = new ArrayList<>();
        for (int s = 1; s < sections.size(); s++) {
            CfgSection section = sections.get(s);
            if (section.name().equals("net") || section.name().equals("network")) {
                throw new BadInputException(sourceName, section.line(), "[net] may only appear once, first");
            }
            layers.add(readLayer(sourceName, section, layers.size(), kept));
        }
        NetworkSpec spec;
        try {
            spec = new NetworkSpec(net, layers);
        } catch (ShapeException e) {
            // layer i is section i + 1; a network-wide error (no layers at all) points at [net]
            int section = e.layer() + 1;
            int line = section >= 1 && section < sections.size() ? sections.get(section).line() : first.line();
            throw new BadInputException(sourceName, line, e.getMessage());
        }
        if (!kept.isEmpty()) {
            keptOptions.accept(sourceName, kept);
        }
        return spec;
    }

    /** One line: where the first training-only option is and the name of each (first line of each in brackets). */
    static String keptOptionsWarning(String sourceName, Map<String, Integer> kept) {
        int first = kept.values().stream().mapToInt(Integer::intValue).min().orElse(1);
        String names = kept.entrySet().stream().map(e -> abbreviate(e.getKey()) + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
        return BadInputException.printable(sourceName + ":" + first + ": warning: " + kept.size()
                + " training-only option(s) kept as written but not used by EdgeSlim: " + names);
    }

    private static List<CfgSection> split(String text, String source) {
        List<CfgSection> sections = new ArrayList<>();
        CfgSection current = null;
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int n = 0; n < lines.length; n++) {
            int lineNo = n + 1;
            String line = stripWhitespace(lines[n]);
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';') {
                continue;
            }
            if (line.charAt(0) == '[') {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new BadInputException(source, lineNo, "malformed section header '"
                            + abbreviate(lines[n].trim()) + "'");
                }
                current = new CfgSection(line.substring(1, line.length() - 1).toLowerCase(java.util.Locale.ROOT), lineNo);
                sections.add(current);
                if (sections.size() > dev.edgeslim.detector.model.SpecLimits.MAX_LAYERS + 1) {
                    throw new BadInputException(source, lineNo, "too many sections (limit "
                            + dev.edgeslim.detector.model.SpecLimits.MAX_LAYERS
                            + " layers; raise with -Dedgeslim.limit.maxLayers)");
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException(source, lineNo, "expected 'key=value', got '" + abbreviate(lines[n].trim()) + "'");
            }
            if (current == null) {
                throw new BadInputException(source, lineNo, "option before the first [section]");
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (current.values().containsKey(key)) {
                throw new BadInputException(source, lineNo, "option '" + abbreviate(key) + "' is repeated in ["
                        + abbreviate(current.name())
                        + "] (first at line " + current.lines().get(key) + ")");
            }
            current.values().put(key, value);
            current.lines().put(key, lineNo);
        }
        return sections;
    }

    static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** darknet strips every space, tab and control character from a cfg line. */
    private static String stripWhitespace(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\f' && c != '\u000b' && c != '\ufeff') {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static NetOptions readNet(String file, CfgSection section, Map<String, Integer> kept) {
        OptionReader r = new OptionReader(file, section, kept);
        int width = r.integer("width", 0);
        int height = r.integer("height", 0);
        int channels = r.integer("channels", 3);
        int batch = r.integer("batch", 1);
        int subdivisions = r.integer("subdivisions", 1);
        double momentum = r.number("momentum", 0.9);
        double decay = r.number("decay", 0.0001);
        double learningRate = r.number("learning_rate", 0.001);
        int burnIn = r.integer("burn_in", 0);
        int maxBatches = r.integer("max_batches", 0);
        String policy = r.string("policy", "constant");
        List<Integer> steps = r.integers("steps");
        List<Double> scales = r.numbers("scales");
        String letterBox = r.has(ResizeMode.CFG_KEY) ? r.string(ResizeMode.CFG_KEY, "0") : null;
        if (letterBox != null && !letterBox.matches("-?\\d{1,9}")) {
            throw r.error(ResizeMode.CFG_KEY, "'" + ResizeMode.CFG_KEY + "' must be an integer (0 stretches, 1 "
                    + "letterboxes), got '" + abbreviate(letterBox) + "'");
        }
        Map<String, String> extras = new LinkedHashMap<>(r.finish());
        if (letterBox != null) {
            extras.put(ResizeMode.CFG_KEY, letterBox);
        }
        if (width <= 0 || height <= 0) {
            throw new BadInputException(file, section.line(), "[net] needs positive width and height");
        }
        if (batch <= 0 || subdivisions <= 0) {
            throw new BadInputException(file, section.line(), "[net] batch and subdivisions must be positive");
        }
        return new NetOptions(width, height, channels, batch, subdivisions, momentum, decay, learningRate, burnIn,
                maxBatches, policy, steps, scales, extras);
    }

    private static Layer readLayer(String file, CfgSection section, int index, Map<String, Integer> kept) {
        OptionReader r = new OptionReader(file, section, kept);
        return switch (section.name()) {
            case "convolutional", "conv" -> readConv(r);
            case "route" -> readRoute(r, index);
            case "shortcut" -> readShortcut(r, index);
            case "maxpool", "max" -> readMaxPool(r);
            case "upsample" -> readUpsample(r);
            case "yolo" -> readYolo(r);
            case "dropout" -> readDropout(r);
            default -> throw new BadInputException(file, section.line(), DarknetSections.refusal(section.name()));
        };
    }

    private static Activation activation(OptionReader r, String fallback) {
        String name = r.string("activation", fallback);
        Activation a = Activation.fromCfg(name);
        if (a == null) {
            throw r.error("activation", "unsupported activation '" + abbreviate(name)
                    + "' (supported: linear, leaky, mish, swish, logistic, relu)");
        }
        return a;
    }

    private static ConvLayer readConv(OptionReader r) {
        int filters = r.integer("filters", 1);
        int size = r.integer("size", 1);
        int stride = r.integer("stride", 1);
        boolean pad = r.integer("pad", 0) != 0;
        int padding = r.integer("padding", 0);
        if (pad) {
            padding = size / 2;
        }
        int groups = r.integer("groups", 1);
        boolean bn = r.integer("batch_normalize", 0) != 0;
        Activation act = activation(r, "logistic");
        if (r.integer("dilation", 1) != 1) {
            throw r.error("dilation", "dilated convolutions are not supported");
        }
        Map<String, String> extras = r.finish();
        return new ConvLayer(filters, size, stride, padding, groups, bn, act, extras);
    }

    /** Resolves darknet's relative (negative) references against this layer's index. */
    private static List<Integer> absolute(OptionReader r, String key, List<Integer> refs, int index) {
        List<Integer> out = new ArrayList<>(refs.size());
        for (int ref : refs) {
            int abs = ref < 0 ? index + ref : ref;
            if (abs < 0 || abs >= index) {
                throw r.error(key, "'" + key + "' refers to layer " + ref + ", which resolves to " + abs
                        + " but layer " + index + " can only read layers 0.." + (index - 1));
            }
            out.add(abs);
        }
        return out;
    }

    private static RouteLayer readRoute(OptionReader r, int index) {
        if (!r.has("layers")) {
            throw r.error("layers", "[route] needs 'layers'");
        }
        List<Integer> layers = absolute(r, "layers", r.integers("layers"), index);
        if (layers.isEmpty()) {
            throw r.error("layers", "[route] 'layers' is empty");
        }
        int groups = r.integer("groups", 1);
        int groupId = r.integer("group_id", 0);
        r.finishWithoutExtras();
        return new RouteLayer(layers, groups, groupId);
    }

    private static ShortcutLayer readShortcut(OptionReader r, int index) {
        if (!r.has("from")) {
            throw r.error("from", "[shortcut] needs 'from'");
        }
        List<Integer> from = absolute(r, "from", r.integers("from"), index);
        Activation act = activation(r, "linear");
        String weightsType = r.string("weights_type", "none");
        if (!weightsType.equals("none")) {
            throw r.error("weights_type", "weighted shortcuts (weights_type=" + abbreviate(weightsType)
                    + ") are not supported");
        }
        String normalization = r.string("weights_normalization", "none");
        if (!normalization.equals("none")) {
            throw r.error("weights_normalization", "weights_normalization=" + abbreviate(normalization)
                    + " is not supported");
        }
        r.finishWithoutExtras();
        return new ShortcutLayer(from, act);
    }

    private static MaxPoolLayer readMaxPool(OptionReader r) {
        int stride = r.integer("stride", 1);
        int size = r.integer("size", stride);
        int padding = r.integer("padding", size - 1);
        r.finishWithoutExtras();
        return new MaxPoolLayer(size, stride, padding);
    }

    private static UpsampleLayer readUpsample(OptionReader r) {
        int stride = r.integer("stride", 2);
        if (stride <= 0) {
            throw r.error("stride", "[upsample] stride must be positive (downsampling is not supported), got " + stride);
        }
        double scale = r.number("scale", 1.0);
        r.finishWithoutExtras();
        return new UpsampleLayer(stride, scale);
    }

    /** darknet's defaults: probability 0.2; DropBlock (dropblock=1) masks blocks instead of single activations. */
    private static DropoutLayer readDropout(OptionReader r) {
        double probability = r.number("probability", 0.2);
        if (!(probability >= 0.0 && probability < 1.0)) {
            throw r.error("probability", "[dropout] probability must be in [0, 1), got " + probability);
        }
        if (r.integer("dropblock", 0) != 0) {
            throw r.error("dropblock", "[dropout] dropblock=1 (DropBlock) is not supported; plain dropout is");
        }
        // DropBlock's block size is meaningless without dropblock=1, which is refused above
        r.string("dropblock_size_rel", "0");
        r.string("dropblock_size_abs", "0");
        r.finishWithoutExtras();
        return new DropoutLayer(probability);
    }

    private static YoloLayer readYolo(OptionReader r) {
        int classes = r.integer("classes", 20);
        int num = r.integer("num", 1);
        List<Integer> mask = r.integers("mask");
        if (mask.isEmpty()) {
            for (int i = 0; i < num; i++) {
                mask.add(i);
            }
        }
        List<Double> anchors = r.numbers("anchors");
        double scaleXY = r.number("scale_x_y", 1.0);
        double ignore = r.number("ignore_thresh", 0.5);
        double truth = r.number("truth_thresh", 1.0);
        double iouThresh = r.number("iou_thresh", 1.0);
        int newCoords = r.integer("new_coords", 0);
        if (newCoords != 0 && newCoords != 1) {
            throw r.error("new_coords", "new_coords must be 0 or 1, got " + newCoords);
        }
        Map<String, String> extras = r.finish();
        return new YoloLayer(mask, anchors, classes, num, scaleXY, ignore, truth, iouThresh, newCoords == 1, extras);
    }
}
