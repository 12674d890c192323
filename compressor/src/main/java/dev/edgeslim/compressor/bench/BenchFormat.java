package dev.edgeslim.compressor.bench;

import dev.edgeslim.compressor.export.tflite.Precision;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A form in which a benchmarked model is run: the darknet files in TF Java or OpenCV DNN, or the model exported to
 * TFLite at one precision and run by the TFLite runtime, or exported to ONNX and run by ONNX Runtime (CPU).
 */
public enum BenchFormat {
    TF("tf", "TF Java fp32", null, false),
    TFLITE_FP32("tflite-fp32", "TFLite fp32", Precision.FP32, false),
    TFLITE_FP16("tflite-fp16", "TFLite fp16", Precision.FP16, false),
    TFLITE_INT8("tflite-int8", "TFLite int8", Precision.INT8, false),
    OPENCV("opencv", "OpenCV DNN fp32", null, false),
    ONNX_FP32("onnx-fp32", "ONNX Runtime fp32", Precision.FP32, true),
    ONNX_INT8("onnx-int8", "ONNX Runtime int8 (QDQ)", Precision.INT8, true);

    private final String cliName;
    private final String label;
    private final Precision exportPrecision;
    private final boolean onnx;

    BenchFormat(String cliName, String label, Precision exportPrecision, boolean onnx) {
        this.cliName = cliName;
        this.label = label;
        this.exportPrecision = exportPrecision;
        this.onnx = onnx;
    }

    /** The name on the command line and in reports, e.g. "tflite-int8". */
    public String cliName() {
        return cliName;
    }

    /** A human label, e.g. "TFLite int8". */
    public String label() {
        return label;
    }

    /** The export precision of a TFLite format; null for the other formats. */
    public Precision tflitePrecision() {
        return onnx ? null : exportPrecision;
    }

    /** The export precision of a TFLite or ONNX format; null for formats that run the darknet files. */
    public Precision exportPrecision() {
        return exportPrecision;
    }

    public boolean isTflite() {
        return exportPrecision != null && !onnx;
    }

    public boolean isOnnx() {
        return onnx;
    }

    /** Whether the format runs an exported file rather than the darknet files. */
    public boolean isExported() {
        return exportPrecision != null;
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
