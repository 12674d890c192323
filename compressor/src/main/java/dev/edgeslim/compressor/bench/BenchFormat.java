package dev.edgeslim.compressor.bench;

import dev.edgeslim.compressor.export.tflite.Precision;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A form in which a benchmarked model is run: the darknet files in TF Java or OpenCV DNN, or the model exported to
 * TFLite at one precision and run by the TFLite runtime.
 */
public enum BenchFormat {
    TF("tf", "TF Java fp32", null),
    TFLITE_FP32("tflite-fp32", "TFLite fp32", Precision.FP32),
    TFLITE_FP16("tflite-fp16", "TFLite fp16", Precision.FP16),
    TFLITE_INT8("tflite-int8", "TFLite int8", Precision.INT8),
    OPENCV("opencv", "OpenCV DNN fp32", null);

    private final String cliName;
    private final String label;
    private final Precision tflitePrecision;

    BenchFormat(String cliName, String label, Precision tflitePrecision) {
        this.cliName = cliName;
        this.label = label;
        this.tflitePrecision = tflitePrecision;
    }

    /** The name on the command line and in reports, e.g. "tflite-int8". */
    public String cliName() {
        return cliName;
    }

    /** A human label, e.g. "TFLite int8". */
    public String label() {
        return label;
    }

    /** The export precision of a TFLite format; null for formats that run the darknet files. */
    public Precision tflitePrecision() {
        return tflitePrecision;
    }

    public boolean isTflite() {
        return tflitePrecision != null;
    }

    /** @return the format, or null when the name is unknown */
    public static BenchFormat fromName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (BenchFormat f : values()) {
            if (f.cliName.equals(n)) {
                return f;
            }
        }
        return null;
    }

    /**
     * A comma-separated list such as "tf,tflite-int8" (order kept, duplicates refused).
     *
     * @throws IllegalArgumentException naming the first unknown or repeated entry
     */
    public static List<BenchFormat> parseList(String text) {
        List<BenchFormat> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            BenchFormat f = fromName(part);
            if (f == null) {
                throw new IllegalArgumentException("unknown format '" + part.trim() + "' (expected " + names() + ")");
            }
            if (out.contains(f)) {
                throw new IllegalArgumentException("format " + f.cliName + " given twice");
            }
            out.add(f);
        }
        return List.copyOf(out);
    }

    /** All format names, comma-separated. */
    public static String names() {
        StringBuilder b = new StringBuilder();
        for (BenchFormat f : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(f.cliName);
        }
        return b.toString();
    }
}
