package dev.edgeslim.detector.model;

import java.util.Locale;

/** The activations darknet YOLO cfgs use, by their cfg names. */
public enum Activation {
    LINEAR("linear"),
    LEAKY("leaky"),
    MISH("mish"),
    SWISH("swish"),
    LOGISTIC("logistic"),
    RELU("relu");

    /** darknet's leaky slope. */
    public static final float LEAKY_SLOPE = 0.1f;

    private final String cfgName;

    Activation(String cfgName) {
        this.cfgName = cfgName;
    }

    public String cfgName() {
        return cfgName;
    }

    /** Applies the activation to one value (reference semantics for tests and folding). */
    public double apply(double x) {
        return switch (this) {
            case LINEAR -> x;
            case LEAKY -> x > 0 ? x : LEAKY_SLOPE * x;
            case MISH -> x * Math.tanh(softplus(x));
            case SWISH -> x / (1 + Math.exp(-x));
            case LOGISTIC -> 1 / (1 + Math.exp(-x));
            case RELU -> Math.max(0, x);
        };
    }

    private static double softplus(double x) {
        // numerically stable log(1 + e^x)
        return x > 20 ? x : x < -20 ? Math.exp(x) : Math.log1p(Math.exp(x));
    }

    /** @return the activation, or null when the name is unknown */
    public static Activation fromCfg(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Activation a : values()) {
            if (a.cfgName.equals(n)) {
                return a;
            }
        }
        return null;
    }
}
