package dev.edgeslim.detector.model;

import java.util.Locale;
import java.util.Map;

/**
 * How an image of any size is fitted into the network input, as darknet decides it from the cfg's [net]
 * {@code letter_box}: absent or 0 stretches the image to the input size (a plain resize, aspect ratio not kept;
 * darknet's default and what yolov4.cfg and yolov4-tiny.cfg train with), 1 letterboxes it (aspect ratio kept, the
 * rest grey 0.5). A model is trained, evaluated and deployed with one mode; feeding it the other shifts its inputs.
 */
public enum ResizeMode {
    STRETCH("stretch"),
    LETTERBOX("letterbox");

    /**
     * The transform of models EdgeSlim creates (create-model, demo, the built-in architectures), written into
     * their cfg as {@code letter_box=1}. Letterbox because it keeps the aspect ratio of images of any shape (the
     * VOC-style data EdgeSlim trains on varies from 1:2 to 2:1), because darknet honours {@code letter_box=1} in
     * training and {@code detector map/test} so the model behaves the same there, and because every baseline and
     * demo result EdgeSlim has published was trained and measured that way.
     */
    public static final ResizeMode NEW_MODELS = LETTERBOX;

    /** The [net] option that selects the mode. */
    public static final String CFG_KEY = "letter_box";

    private final String label;

    ResizeMode(String label) {
        this.label = label;
    }

    /** Name used on the command line, in reports and in export metadata. */
    public String label() {
        return label;
    }

    /** darknet's value of {@link #CFG_KEY} for this mode. */
    public String cfgValue() {
        return this == LETTERBOX ? "1" : "0";
    }

    /** The mode a [net] section's options select (darknet: {@code letter_box} != 0 letterboxes). */
    public static ResizeMode fromNetExtras(Map<String, String> extras) {
        String v = extras.get(CFG_KEY);
        if (v == null) {
            return STRETCH;
        }
        try {
            return Integer.parseInt(v.trim()) != 0 ? LETTERBOX : STRETCH;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(CFG_KEY + " must be an integer, got '" + v + "'");
        }
    }

    /** The mode named {@code label} ("stretch" or "letterbox"), or null. */
    public static ResizeMode fromLabel(String label) {
        for (ResizeMode m : values()) {
            if (m.label.equals(label.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }
}
