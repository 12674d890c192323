package dev.edgeslim.compressor.export.tflite;

/**
 * The numbers of the TFLite flatbuffer schema (tensorflow/compiler/mlir/lite/schema/schema.fbs, schema version 3)
 * that EdgeSlim's writer needs: enum values, union indices and table field slots. Field slots are the
 * declaration order of a table's fields; a union field takes two slots (its type byte, then its value).
 * Only what the YOLO export emits is listed.
 */
final class TfliteSchema {
    private TfliteSchema() {
    }

    static final int SCHEMA_VERSION = 3;
    static final String FILE_IDENTIFIER = "TFL3";

    /** enum TensorType : byte. */
    static final byte FLOAT32 = 0;
    static final byte FLOAT16 = 1;
    static final byte INT32 = 2;
    static final byte INT8 = 9;

    /** enum Padding : byte. */
    static final byte PADDING_SAME = 0;
    static final byte PADDING_VALID = 1;

    /** enum ActivationFunctionType : byte. */
    static final byte ACT_NONE = 0;
    static final byte ACT_RELU = 1;

    /** union BuiltinOptions: index of each options table (0 is NONE). */
    static final byte OPT_CONV_2D = 1;
    static final byte OPT_DEPTHWISE_CONV_2D = 2;
    static final byte OPT_POOL_2D = 5;
    static final byte OPT_CONCATENATION = 10;
    static final byte OPT_ADD = 11;
    static final byte OPT_RESHAPE = 17;
    static final byte OPT_MUL = 21;
    static final byte OPT_PAD = 22;
    static final byte OPT_GATHER = 23;
    static final byte OPT_SUB = 28;
    static final byte OPT_DIV = 29;
    static final byte OPT_SPLIT = 35;
    static final byte OPT_CAST = 37;
    static final byte OPT_DEQUANTIZE = 38;
    static final byte OPT_PAD_V2 = 43;
    static final byte OPT_SLICE = 48;
    static final byte OPT_LEAKY_RELU = 75;
    static final byte OPT_QUANTIZE = 89;

    /** table Model. */
    static final int MODEL_FIELDS = 8;
    static final int MODEL_VERSION = 0;
    static final int MODEL_OPERATOR_CODES = 1;
    static final int MODEL_SUBGRAPHS = 2;
    static final int MODEL_DESCRIPTION = 3;
    static final int MODEL_BUFFERS = 4;
    static final int MODEL_METADATA = 6;

    /** table OperatorCode. */
    static final int OPCODE_FIELDS = 4;
    static final int OPCODE_DEPRECATED_BUILTIN_CODE = 0;
    static final int OPCODE_VERSION = 2;
    static final int OPCODE_BUILTIN_CODE = 3;
    /** Codes at or above this exist only in the int builtin_code field. */
    static final int PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

    /** table SubGraph. */
    static final int SUBGRAPH_FIELDS = 5;
    static final int SUBGRAPH_TENSORS = 0;
    static final int SUBGRAPH_INPUTS = 1;
    static final int SUBGRAPH_OUTPUTS = 2;
    static final int SUBGRAPH_OPERATORS = 3;
    static final int SUBGRAPH_NAME = 4;

    /** table Tensor. */
    static final int TENSOR_FIELDS = 9;
    static final int TENSOR_SHAPE = 0;
    static final int TENSOR_TYPE = 1;
    static final int TENSOR_BUFFER = 2;
    static final int TENSOR_NAME = 3;
    static final int TENSOR_QUANTIZATION = 4;
    static final int TENSOR_HAS_RANK = 8;

    /** table QuantizationParameters (details is a union: slots 4 and 5). */
    static final int QUANT_FIELDS = 7;
    static final int QUANT_SCALE = 2;
    static final int QUANT_ZERO_POINT = 3;
    static final int QUANT_QUANTIZED_DIMENSION = 6;

    /** table Operator (builtin_options is a union: slots 3 and 4). */
    static final int OPERATOR_FIELDS = 5;
    static final int OPERATOR_OPCODE_INDEX = 0;
    static final int OPERATOR_INPUTS = 1;
    static final int OPERATOR_OUTPUTS = 2;
    static final int OPERATOR_BUILTIN_OPTIONS_TYPE = 3;
    static final int OPERATOR_BUILTIN_OPTIONS = 4;

    /** table Buffer: data is [ubyte] (force_align: 16). */
    static final int BUFFER_FIELDS = 1;
    static final int BUFFER_DATA = 0;
    static final int BUFFER_ALIGNMENT = 16;

    /** table Metadata. */
    static final int METADATA_FIELDS = 2;
    static final int METADATA_NAME = 0;
    static final int METADATA_BUFFER = 1;
}
