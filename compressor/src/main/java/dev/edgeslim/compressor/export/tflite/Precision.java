package dev.edgeslim.compressor.export.tflite;

import java.util.Locale;

/** How a .tflite model stores and computes numbers. */
public enum Precision {
    /** float32 weights and compute. */
    FP32,
    /** float16 weights (DEQUANTIZE to float32 at load), float32 compute: half the size of fp32. */
    FP16,
    /** Full-integer: int8 input, feature maps, weights and outputs, int32 biases; about a quarter of fp32. */
    INT8;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the precision, or null when the name is unknown */
    public static Precision fromName(String name) {
        for (Precision p : values()) {
            if (p.cliName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        return null;
    }
}
