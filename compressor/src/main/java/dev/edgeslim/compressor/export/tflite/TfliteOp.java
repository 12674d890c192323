package dev.edgeslim.compressor.export.tflite;

/** The TFLite builtin operators the YOLO export emits, with their BuiltinOperator codes (schema.fbs). */
enum TfliteOp {
    ADD(0),
    CONCATENATION(2),
    CONV_2D(3),
    DEPTHWISE_CONV_2D(4),
    DEQUANTIZE(6),
    LOGISTIC(14),
    MAX_POOL_2D(17),
    MUL(18),
    RELU(19),
    RESHAPE(22),
    PAD(34),
    GATHER(36),
    SUB(41),
    DIV(42),
    SPLIT(49),
    CAST(53),
    PADV2(60),
    SLICE(65),
    LEAKY_RELU(98),
    QUANTIZE(114);

    private final int code;

    TfliteOp(int code) {
        this.code = code;
    }

    /** The BuiltinOperator enum value. */
    int code() {
        return code;
    }
}
