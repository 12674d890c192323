package dev.edgeslim.detector.model.builtin;

import dev.edgeslim.detector.model.NetOptions;
import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.ShapeException;
import dev.edgeslim.detector.model.SpecLimits;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.edgeslim.detector.model.Activation.LEAKY;
import static dev.edgeslim.detector.model.Activation.MISH;

/**
 * EdgeSlim's own YOLOv4 family, built in code with {@link SpecBuilder}. At width and depth multiple 1 and 80
 * classes each model equals the upstream darknet cfg layer for layer (yolov4 at 608x608, yolov4-tiny at 416x416);
 * other multiples scale it like YOLOv5 does ({@link ModelScale}), other input sizes scale the anchors
 * ({@link ReferenceAnchors}).
 *
 * <p>Model names for {@link #byName} (case-insensitive):
 * <pre>
 *   name   := base [ "-w" multiple ] [ "-d" multiple ]
 *   base   := "yolov4" | "yolov4-tiny"
 *   multiple := decimal in (0, 4], e.g. 0.25, .5, 1, 1.5
 * </pre>
 * {@code -w} scales channels (default 1); {@code -d} scales residual blocks (default 1, yolov4 only: tiny has
 * no repeated blocks). Examples: {@code yolov4}, {@code yolov4-w0.25}, {@code yolov4-w0.25-d0.33},
 * {@code yolov4-tiny}, {@code yolov4-tiny-w0.5}.
 */
public final class BuiltinModels {
    /** The accepted name forms, for error messages and help texts. */
    public static final String NAME_FORMS = "yolov4[-wW][-dD] or yolov4-tiny[-wW] with multiples W, D in (0, 4],"
            + " e.g. yolov4, yolov4-w0.25, yolov4-w0.25-d0.33, yolov4-tiny, yolov4-tiny-w0.5";

    private static final Pattern NAME = Pattern.compile(
            "(yolov4|yolov4-tiny)(?:-w(\\d*\\.?\\d+))?(?:-d(\\d*\\.?\\d+))?");

    /** Anchors whose IoU with a truth box exceeds this also learn from it (yolov4.cfg's iou_thresh). */
    private static final double YOLOV4_IOU_THRESH = 0.213;
    /** yolov4-tiny.cfg leaves iou_thresh at darknet's default 1, i.e. only the best anchor learns. */
    private static final double TINY_IOU_THRESH = 1.0;

    /** darknet's training options from yolov4-tiny.cfg's heads. */
    private static final Map<String, String> TINY_HEAD_EXTRAS = Map.of("jitter", "0.3", "cls_normalizer", "1.0",
            "iou_normalizer", "0.07", "iou_loss", "ciou", "random", "0", "resize", "1.5", "nms_kind", "greedynms",
            "beta_nms", "0.6");

    /** Residual blocks per CSPDarknet53 stage (strides 2, 4, 8, 16, 32). */
    private static final int[] CSP_BLOCKS = {1, 2, 8, 8, 4};

    private BuiltinModels() {
    }

    /**
     * Resolves a model name (grammar in the class comment) at {@code size} x {@code size}.
     *
     * @throws IllegalArgumentException for an unknown name or invalid classes/size, listing the valid forms
     */
    public static NetworkSpec byName(String name, int classes, int size) {
        Matcher m = NAME.matcher(name == null ? "" : name.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown model '" + name + "'; valid forms: " + NAME_FORMS);
        }
        double width = m.group(2) == null ? 1 : Double.parseDouble(m.group(2));
        double depth = m.group(3) == null ? 1 : Double.parseDouble(m.group(3));
        if (m.group(1).equals("yolov4-tiny")) {
            if (m.group(3) != null) {
                throw new IllegalArgumentException("yolov4-tiny has no depth multiple (no repeated blocks): '" + name
                        + "'; valid forms: " + NAME_FORMS);
            }
            return yolov4Tiny(classes, size, size, width);
        }
        return yolov4(classes, size, size, width, depth);
    }

    /**
     * YOLOv4: CSPDarknet53 backbone (mish), SPP, PANet neck and three [yolo] heads at strides 8, 16, 32
     * (leaky in neck and heads), as in darknet's yolov4.cfg.
     */
    public static NetworkSpec yolov4(int classes, int width, int height, double widthMultiple, double depthMultiple) {
        checkArguments(classes, width, height);
        ModelScale s = new ModelScale(widthMultiple, depthMultiple);
        NetOptions net = netOptions(width, height, classes, 16, 0.949, 0.001, Map.of("mosaic", "1"));
        SpecBuilder b = new SpecBuilder(net);

        b.conv(s.channels(32), 3, 1, MISH);
        // Stage 1 differs from the others: its CSP halves keep the full 64 channels and the residual block narrows.
        cspStage(b, s.channels(64), s.channels(64), s.channels(32), s.repeats(CSP_BLOCKS[0]));
        int reference = 128;
        for (int stage = 1; stage < CSP_BLOCKS.length; stage++, reference *= 2) {
            int half = s.channels(reference / 2);
            cspStage(b, s.channels(reference), half, half, s.repeats(CSP_BLOCKS[stage]));
            if (reference == 256) {
                b.mark("backbone8");
            } else if (reference == 512) {
                b.mark("backbone16");
            }
        }

        // SPP: three stride-1 max pools of growing size over the same input, concatenated with it.
        convTriplet(b, s.channels(512));
        int sppInput = b.last();
        b.maxpool(5, 1);
        int pool5 = b.last();
        b.route(sppInput).maxpool(9, 1);
        int pool9 = b.last();
        b.route(sppInput).maxpool(13, 1);
        b.route(b.last(), pool9, pool5, sppInput);
        convTriplet(b, s.channels(512));
        b.mark("neck32");

        // PANet top-down: upsample the coarser map and concatenate it with a 1x1 lateral of the backbone.
        topDown(b, s.channels(256), b.at("backbone16"));
        b.mark("neck16");
        topDown(b, s.channels(128), b.at("backbone8"));
        b.mark("neck8");

        List<Double> anchors = ReferenceAnchors.YOLOV4.scaledTo(width, height);
        int outputs = 3 * (5 + classes);
        head(b, s.channels(256), outputs, List.of(0, 1, 2), anchors, classes, 1.2, YOLOV4_IOU_THRESH,
                yolov4HeadExtras(false));

        // PANet bottom-up: stride-2 convolution of the finer map concatenated with the top-down map.
        b.route(b.at("neck8")).conv(s.channels(256), 3, 2, LEAKY);
        b.route(b.last(), b.at("neck16"));
        convFive(b, s.channels(256));
        b.mark("bottomUp16");
        head(b, s.channels(512), outputs, List.of(3, 4, 5), anchors, classes, 1.1, YOLOV4_IOU_THRESH,
                yolov4HeadExtras(false));

        b.route(b.at("bottomUp16")).conv(s.channels(512), 3, 2, LEAKY);
        b.route(b.last(), b.at("neck32"));
        convFive(b, s.channels(512));
        head(b, s.channels(1024), outputs, List.of(6, 7, 8), anchors, classes, 1.05, YOLOV4_IOU_THRESH,
                yolov4HeadExtras(true));
        return build(b, "yolov4", widthMultiple, depthMultiple);
    }

    /**
     * YOLOv4-tiny: three CSP blocks whose residual path reads the second half of the channels (route groups=2,
     * group_id=1), max-pool downsampling, and two [yolo] heads at strides 32 and 16, as in darknet's
     * yolov4-tiny.cfg. Its masks (3,4,5 and 1,2,3, anchor 0 unused) are upstream's and kept for equality.
     */
    public static NetworkSpec yolov4Tiny(int classes, int width, int height, double widthMultiple) {
        checkArguments(classes, width, height);
        ModelScale s = new ModelScale(widthMultiple, 1);
        NetOptions net = netOptions(width, height, classes, 1, 0.9, 0.00261, Map.of());
        SpecBuilder b = new SpecBuilder(net);

        b.conv(s.channels(32), 3, 2, LEAKY);
        b.conv(s.channels(64), 3, 2, LEAKY);
        tinyCspBlock(b, s.channels(64), s.channels(32));
        tinyCspBlock(b, s.channels(128), s.channels(64));
        int lateral16 = tinyCspBlock(b, s.channels(256), s.channels(128));

        b.conv(s.channels(512), 3, 1, LEAKY);
        b.conv(s.channels(256), 1, 1, LEAKY);
        b.mark("neck32");
        List<Double> anchors = ReferenceAnchors.YOLOV4_TINY.scaledTo(width, height);
        int outputs = 3 * (5 + classes);
        head(b, s.channels(512), outputs, List.of(3, 4, 5), anchors, classes, 1.05, TINY_IOU_THRESH,
                TINY_HEAD_EXTRAS);

        b.route(b.at("neck32")).conv(s.channels(128), 1, 1, LEAKY).upsample(2);
        b.route(b.last(), lateral16);
        head(b, s.channels(256), outputs, List.of(1, 2, 3), anchors, classes, 1.05, TINY_IOU_THRESH,
                TINY_HEAD_EXTRAS);
        return build(b, "yolov4-tiny", widthMultiple, 1);
    }

    /**
     * One CSPDarknet53 stage: stride-2 conv, split into a shortcut part and a residual part of {@code part}
     * channels, {@code blocks} residual blocks (1x1 to {@code inner}, 3x3 back), a transition conv, concat, and a
     * 1x1 fusion back to {@code down} channels.
     */
    private static void cspStage(SpecBuilder b, int down, int part, int inner, int blocks) {
        b.conv(down, 3, 2, MISH);
        int downsampled = b.last();
        b.conv(part, 1, 1, MISH);
        int bypass = b.last();
        b.route(downsampled).conv(part, 1, 1, MISH);
        for (int i = 0; i < blocks; i++) {
            int blockInput = b.last();
            b.conv(inner, 1, 1, MISH).conv(part, 3, 1, MISH).shortcut(blockInput);
        }
        b.conv(part, 1, 1, MISH);
        b.route(b.last(), bypass);
        b.conv(down, 1, 1, MISH);
    }

    /** 1x1, 3x3 (double width), 1x1 — the block around SPP. */
    private static void convTriplet(SpecBuilder b, int channels) {
        b.conv(channels, 1, 1, LEAKY).conv(2 * channels, 3, 1, LEAKY).conv(channels, 1, 1, LEAKY);
    }

    /** Alternating 1x1 / 3x3 convolutions, five in all — PANet's fusion block after each concat. */
    private static void convFive(SpecBuilder b, int channels) {
        convTriplet(b, channels);
        b.conv(2 * channels, 3, 1, LEAKY).conv(channels, 1, 1, LEAKY);
    }

    private static void topDown(SpecBuilder b, int channels, int backboneLayer) {
        b.conv(channels, 1, 1, LEAKY).upsample(2);
        int upsampled = b.last();
        b.route(backboneLayer).conv(channels, 1, 1, LEAKY);
        b.route(b.last(), upsampled);
        convFive(b, channels);
    }

    private static void head(SpecBuilder b, int channels, int outputs, List<Integer> mask, List<Double> anchors,
                             int classes, double scaleXY, double iouThresh, Map<String, String> extras) {
        b.conv(channels, 3, 1, LEAKY).headConv(outputs);
        b.yolo(mask, anchors, classes, scaleXY, 0.7, iouThresh, extras);
    }

    /**
     * YOLOv4-tiny CSP block: 3x3 conv, its second channel half through two 3x3 convs (concatenated), a 1x1
     * fusion, concat with the block's first conv, 2x2 max pool. Returns the fusion conv (the stride-16 lateral).
     */
    private static int tinyCspBlock(SpecBuilder b, int channels, int half) {
        b.conv(channels, 3, 1, LEAKY);
        int base = b.last();
        b.routeGroup(base, 2, 1).conv(half, 3, 1, LEAKY);
        int first = b.last();
        b.conv(half, 3, 1, LEAKY);
        b.route(b.last(), first);
        b.conv(channels, 1, 1, LEAKY);
        int fusion = b.last();
        b.route(base, fusion);
        b.maxpool(2, 2);
        return fusion;
    }

    /** darknet's CIoU training options from yolov4.cfg; only the last head has random=1 (multi-scale). */
    private static Map<String, String> yolov4HeadExtras(boolean last) {
        Map<String, String> common = Map.of("jitter", "0.3", "cls_normalizer", "1.0", "iou_normalizer", "0.07",
                "iou_loss", "ciou", "nms_kind", "greedynms", "beta_nms", "0.6", "max_delta", "5");
        if (!last) {
            return common;
        }
        Map<String, String> withRandom = new HashMap<>(common);
        withRandom.put("random", "1");
        return Map.copyOf(withRandom);
    }

    /**
     * Training defaults: darknet's schedule rule for custom data (max_batches = 2000 x classes, at least 6000;
     * steps at 80% and 90%), burn-in 1000, decay 0.0005, upstream colour augmentation, and the input transform
     * written out ({@code letter_box}, {@link ResizeMode#NEW_MODELS}) so it travels with the cfg.
     */
    private static NetOptions netOptions(int width, int height, int classes, int subdivisions, double momentum,
                                         double learningRate, Map<String, String> extraOptions) {
        int maxBatches = Math.max(6000, 2000 * classes);
        Map<String, String> extras = new HashMap<>(Map.of("angle", "0", "saturation", "1.5",
                "exposure", "1.5", "hue", "0.1", ResizeMode.CFG_KEY, ResizeMode.NEW_MODELS.cfgValue()));
        extras.putAll(extraOptions);
        return new NetOptions(width, height, 3, 64, subdivisions, momentum, 0.0005, learningRate, 1000, maxBatches,
                "steps", List.of(maxBatches * 8 / 10, maxBatches * 9 / 10), List.of(0.1, 0.1), extras);
    }

    private static void checkArguments(int classes, int width, int height) {
        if (classes < 1 || classes > SpecLimits.MAX_CLASSES) {
            throw new IllegalArgumentException("classes must be within 1.." + SpecLimits.MAX_CLASSES + ", got "
                    + classes);
        }
        for (int side : new int[] {width, height}) {
            if (side <= 0 || side % 32 != 0) {
                throw new IllegalArgumentException("input size must be a positive multiple of 32 (the coarsest"
                        + " stride), got " + width + "x" + height);
            }
        }
    }

    /** Builds, reporting limits (too many parameters or too large an input) as an argument error. */
    private static NetworkSpec build(SpecBuilder b, String base, double width, double depth) {
        try {
            return b.build();
        } catch (ShapeException e) {
            throw new IllegalArgumentException(base + " with width " + width + ", depth " + depth + " cannot be"
                    + " built: " + e.getMessage(), e);
        }
    }
}
