package dev.edgeslim.compressor.export.onnx;

import dev.edgeslim.compressor.export.tflite.ExportOptions;

import java.util.Objects;

/**
 * How to export ONNX: the precision, calibration, class names, error label and threads of {@link ExportOptions}
 * (the same calibration as the TFLite int8 export; TFLite's float-I/O and integer-only switches do not apply), the
 * opset of the default domain and whether the batch dimension is symbolic.
 */
public record OnnxExportOptions(ExportOptions base, int opset, boolean dynamicBatch) {
    /** The oldest opset the graph can be written in: Split takes its sizes as an input, DequantizeLinear an axis. */
    public static final int MIN_OPSET = 13;
    /** The newest opset written; ONNX Runtime 1.22 implements it. */
    public static final int MAX_OPSET = 21;
    public static final int DEFAULT_OPSET = 17;

    public OnnxExportOptions {
        Objects.requireNonNull(base);
        if (base.floatIo() || base.integerOnly()) {
            throw new IllegalArgumentException("float I/O and integer-only are TFLite options");
        }
    }

    public static OnnxExportOptions of(ExportOptions base) {
        return new OnnxExportOptions(base, DEFAULT_OPSET, false);
    }

    public OnnxExportOptions withOpset(int n) {
        return new OnnxExportOptions(base, n, dynamicBatch);
    }

    public OnnxExportOptions withDynamicBatch(boolean on) {
        return new OnnxExportOptions(base, opset, on);
    }
}
