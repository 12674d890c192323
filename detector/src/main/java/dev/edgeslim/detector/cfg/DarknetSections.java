package dev.edgeslim.detector.cfg;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every section name darknet's parser (AlexeyAB, {@code string_to_layer_type}) accepts, with what EdgeSlim does
 * with it. The sections EdgeSlim runs are read by {@link CfgParser}; for the others this class gives the one-line
 * reason a cfg is refused, so a user learns whether darknet would have read the section at all.
 * docs/darknet-sections.md is the same table for people.
 */
public final class DarknetSections {
    /** Section names (lower case, aliases included) that darknet knows but EdgeSlim refuses, with the reason. */
    private static final Map<String, String> REFUSED = new LinkedHashMap<>();

    static {
        String recurrent = "a recurrent layer (detectors EdgeSlim compresses are feed-forward)";
        String classifier = "a classifier/legacy-detector layer, not part of a YOLO detector";
        String noOp = "not implemented yet";
        REFUSED.put("scale_channels", noOp + " (squeeze-and-excitation scaling)");
        REFUSED.put("sam", noOp + " (spatial attention)");
        REFUSED.put("crop", "training-time crop of darknet classifiers");
        REFUSED.put("cost", classifier);
        REFUSED.put("detection", classifier + " (YOLOv1 head)");
        REFUSED.put("region", classifier + " (YOLOv2 head)");
        REFUSED.put("gaussian_yolo", noOp + " (Gaussian YOLOv3 head)");
        REFUSED.put("local", noOp + " (locally connected layer)");
        REFUSED.put("deconv", noOp + " (transposed convolution)");
        REFUSED.put("deconvolutional", noOp + " (transposed convolution)");
        REFUSED.put("activation", noOp + " (stand-alone activation)");
        REFUSED.put("crnn", recurrent);
        REFUSED.put("gru", recurrent);
        REFUSED.put("lstm", recurrent);
        REFUSED.put("conv_lstm", recurrent);
        REFUSED.put("history", recurrent);
        REFUSED.put("rnn", recurrent);
        REFUSED.put("conn", classifier + " (fully connected)");
        REFUSED.put("connected", classifier + " (fully connected)");
        REFUSED.put("local_avg", noOp + " (local average pooling)");
        REFUSED.put("local_avgpool", noOp + " (local average pooling)");
        REFUSED.put("reorg3d", noOp + " (space-to-depth)");
        REFUSED.put("reorg", noOp + " (YOLOv2 space-to-depth)");
        REFUSED.put("avg", classifier + " (global average pooling)");
        REFUSED.put("avgpool", classifier + " (global average pooling)");
        REFUSED.put("lrn", classifier + " (local response normalisation)");
        REFUSED.put("normalization", classifier + " (local response normalisation)");
        REFUSED.put("batchnorm", noOp + " (stand-alone batch norm; batch_normalize=1 in [convolutional] is)");
        REFUSED.put("soft", classifier + " (softmax)");
        REFUSED.put("softmax", classifier + " (softmax)");
        REFUSED.put("contrastive", "contrastive tracking loss of darknet's training, not part of inference");
        REFUSED.put("empty", noOp + " (placeholder layer)");
        REFUSED.put("silence", noOp + " (placeholder layer)");
        REFUSED.put("implicit", noOp + " (YOLOR implicit knowledge)");
    }

    /** The sections EdgeSlim reads (aliases included), as {@link CfgParser} dispatches them. */
    public static final String SUPPORTED = "net/network, convolutional/conv, route, shortcut, maxpool/max, upsample, "
            + "yolo, dropout";

    private DarknetSections() {
    }

    /** True when darknet's parser accepts {@code name} (lower case, without brackets). */
    public static boolean knownToDarknet(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return REFUSED.containsKey(n) || isSupportedName(n);
    }

    private static boolean isSupportedName(String n) {
        for (String part : SUPPORTED.split(",\\s*")) {
            for (String alias : part.split("/")) {
                if (alias.equals(n)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The message for a section EdgeSlim does not read: darknet's ones say why, unknown ones say so. */
    public static String refusal(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        String shown = CfgParser.abbreviate(name);
        String reason = REFUSED.get(n);
        if (reason != null) {
            return "unsupported section [" + shown + "]: " + reason + " (EdgeSlim reads " + SUPPORTED + ")";
        }
        return "unknown section [" + shown + "]: darknet's parser does not know it either (EdgeSlim reads "
                + SUPPORTED + ")";
    }

    /** The refused sections with their reasons, in darknet's order (for docs and tests). */
    public static Map<String, String> refused() {
        return java.util.Collections.unmodifiableMap(REFUSED);
    }
}
