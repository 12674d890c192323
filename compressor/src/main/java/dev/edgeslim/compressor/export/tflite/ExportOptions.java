package dev.edgeslim.compressor.export.tflite;

import java.util.List;
import java.util.Objects;

/**
 * How to export: the precision; for int8 the calibration images, how many to use and the range percentile
 * (100 = min/max); class names for the metadata (empty when unknown); a label naming the input in error
 * messages (e.g. the weights file); threads for calibration inference; for int8, {@code floatIo} wraps the
 * integer graph in a float32 input (QUANTIZE) and float32 outputs (DEQUANTIZE) — the same int8 compute, but a
 * model with float tensors, which TFLite runtimes need before they create their default XNNPACK delegate;
 * {@code integerOnly} (int8) writes Mish, Swish and logistic as integer lookup tables instead of float islands, so
 * the model has no float tensor at all (for integer-only accelerators; XNNPACK then runs those lookups outside the
 * delegate, see {@link Int8Emitter}).
 */
public record ExportOptions(Precision precision, CalibrationSource calibration, int calibrationImages,
                            double percentile, List<String> classNames, String source, int threads,
                            boolean floatIo, boolean integerOnly) {
    /** Calibration images an int8 export uses when not told otherwise. */
    public static final int DEFAULT_CALIBRATION_IMAGES = 100;


    public ExportOptions {
        Objects.requireNonNull(precision);
        classNames = List.copyOf(classNames);
        if (precision == Precision.INT8) {
            Objects.requireNonNull(calibration, "int8 export needs calibration images");
            if (calibrationImages < 1 || calibrationImages > calibration.size()) {
                throw new IllegalArgumentException("calibration images must be within 1.." + calibration.size()
                        + ", got " + calibrationImages);
            }
            if (!(percentile > 50 && percentile <= 100)) {
                throw new IllegalArgumentException("percentile must be within (50, 100], got " + percentile);
            }
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive");
        }
        if (floatIo && precision != Precision.INT8) {
            throw new IllegalArgumentException("float I/O is an int8 option; " + precision.cliName()
                    + " models have float I/O already");
        }
        if (integerOnly && precision != Precision.INT8) {
            throw new IllegalArgumentException("integer-only is an int8 option");
        }
        if (integerOnly && floatIo) {
            throw new IllegalArgumentException("an integer-only model cannot have float I/O");
        }
    }

    public static ExportOptions fp32() {
        return new ExportOptions(Precision.FP32, null, 0, 100, List.of(), "network", 2, false, false);
    }

    public static ExportOptions fp16() {
        return new ExportOptions(Precision.FP16, null, 0, 100, List.of(), "network", 2, false, false);
    }

    /** Full-integer with {@code images} calibration images and min/max ({@code percentile} 100) or clipped ranges. */
    public static ExportOptions int8(CalibrationSource calibration, int images, double percentile) {
        return new ExportOptions(Precision.INT8, calibration, images, percentile, List.of(), "network", 2, false, false);
    }

    public ExportOptions withClassNames(List<String> names) {
        return new ExportOptions(precision, calibration, calibrationImages, percentile, names, source, threads,
                floatIo, integerOnly);
    }

    public ExportOptions withSource(String label) {
        return new ExportOptions(precision, calibration, calibrationImages, percentile, classNames, label, threads,
                floatIo, integerOnly);
    }

    public ExportOptions withThreads(int n) {
        return new ExportOptions(precision, calibration, calibrationImages, percentile, classNames, source, n,
                floatIo, integerOnly);
    }

    /** An int8 model with float32 input and outputs around the integer graph (see the class comment). */
    public ExportOptions withFloatIo(boolean on) {
        return new ExportOptions(precision, calibration, calibrationImages, percentile, classNames, source, threads,
                on, integerOnly);
    }

    /** An int8 model without any float tensor: activations without an int8 builtin as lookup tables. */
    public ExportOptions withIntegerOnly(boolean on) {
        return new ExportOptions(precision, calibration, calibrationImages, percentile, classNames, source, threads,
                floatIo, on);
    }
}
