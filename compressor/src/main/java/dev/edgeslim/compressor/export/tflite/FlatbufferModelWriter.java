package dev.edgeslim.compressor.export.tflite;

import com.google.flatbuffers.FlatBufferBuilder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serialises a {@link TfliteGraph} as a TFLite model flatbuffer (schema version 3, file identifier "TFL3"):
 * buffer 0 is the empty sentinel, every constant and metadata blob has its own buffer whose data is 16-byte
 * aligned (schema: force_align 16, so the runtime may use it in place), operator codes carry both the
 * deprecated byte code and the int code. The builder is sized up front so a large model is not copied while
 * growing; a flatbuffer cannot exceed 2 GB.
 */
final class FlatbufferModelWriter {
    /** Headroom under the 2 GB flatbuffer limit for tables, strings and alignment. */
    static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - (64L << 20);

    private FlatbufferModelWriter() {
    }

    /** The finished model; position..limit of the returned buffer is the .tflite file. */
    static ByteBuffer write(TfliteGraph graph) {
        long estimate = estimateBytes(graph);
        if (estimate > MAX_MODEL_BYTES) {
            throw new IllegalArgumentException("the model needs about " + (estimate >> 20)
                    + " MB, more than a single TFLite flatbuffer can hold (2 GB)");
        }
        FlatBufferBuilder b = new FlatBufferBuilder((int) estimate);

        // Buffers first: their data lands at the end of the file, after the small tables.
        List<Integer> bufferOffsets = new ArrayList<>();
        b.startTable(TfliteSchema.BUFFER_FIELDS);
        bufferOffsets.add(b.endTable()); // buffer 0: the empty sentinel
        int[] tensorBuffer = new int[graph.tensors().size()];
        for (int t = 0; t < graph.tensors().size(); t++) {
            byte[] data = graph.tensor(t).data();
            if (data != null) {
                tensorBuffer[t] = bufferOffsets.size();
                bufferOffsets.add(buffer(b, data));
            }
        }
        Map<String, Integer> metadataBuffer = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> m : graph.metadata().entrySet()) {
            metadataBuffer.put(m.getKey(), bufferOffsets.size());
            bufferOffsets.add(buffer(b, m.getValue()));
        }
        int buffers = b.createVectorOfTables(toArray(bufferOffsets));

        // Operator codes: one per distinct (op, version), in first-use order.
        Map<String, Integer> codeIndex = new LinkedHashMap<>();
        List<Integer> codeOffsets = new ArrayList<>();
        int[] operatorCode = new int[graph.operators().size()];
        for (int i = 0; i < graph.operators().size(); i++) {
            TfliteGraph.Operator op = graph.operators().get(i);
            String key = op.op() + "/" + op.version();
            Integer index = codeIndex.get(key);
            if (index == null) {
                index = codeOffsets.size();
                codeIndex.put(key, index);
                codeOffsets.add(operatorCode(b, op.op(), op.version()));
            }
            operatorCode[i] = index;
        }
        int operatorCodes = b.createVectorOfTables(toArray(codeOffsets));

        int[] tensorOffsets = new int[graph.tensors().size()];
        for (int t = 0; t < tensorOffsets.length; t++) {
            tensorOffsets[t] = tensor(b, graph.tensor(t), tensorBuffer[t]);
        }
        int tensors = b.createVectorOfTables(tensorOffsets);
        int[] operatorOffsets = new int[graph.operators().size()];
        for (int i = 0; i < operatorOffsets.length; i++) {
            operatorOffsets[i] = operator(b, graph.operators().get(i), operatorCode[i]);
        }
        int operators = b.createVectorOfTables(operatorOffsets);
        int inputs = intVector(b, toArray(graph.inputs()));
        int outputs = intVector(b, toArray(graph.outputs()));
        int subgraphName = b.createString("main");
        b.startTable(TfliteSchema.SUBGRAPH_FIELDS);
        b.addOffset(TfliteSchema.SUBGRAPH_TENSORS, tensors, 0);
        b.addOffset(TfliteSchema.SUBGRAPH_INPUTS, inputs, 0);
        b.addOffset(TfliteSchema.SUBGRAPH_OUTPUTS, outputs, 0);
        b.addOffset(TfliteSchema.SUBGRAPH_OPERATORS, operators, 0);
        b.addOffset(TfliteSchema.SUBGRAPH_NAME, subgraphName, 0);
        int subgraph = b.endTable();
        int subgraphs = b.createVectorOfTables(new int[] {subgraph});

        List<Integer> metadataOffsets = new ArrayList<>();
        for (Map.Entry<String, Integer> m : metadataBuffer.entrySet()) {
            int name = b.createString(m.getKey());
            b.startTable(TfliteSchema.METADATA_FIELDS);
            b.addOffset(TfliteSchema.METADATA_NAME, name, 0);
            b.addInt(TfliteSchema.METADATA_BUFFER, m.getValue(), -1);
            metadataOffsets.add(b.endTable());
        }
        int metadata = metadataOffsets.isEmpty() ? 0 : b.createVectorOfTables(toArray(metadataOffsets));
        int description = b.createString(graph.description());

        b.startTable(TfliteSchema.MODEL_FIELDS);
        b.addInt(TfliteSchema.MODEL_VERSION, TfliteSchema.SCHEMA_VERSION, 0);
        b.addOffset(TfliteSchema.MODEL_OPERATOR_CODES, operatorCodes, 0);
        b.addOffset(TfliteSchema.MODEL_SUBGRAPHS, subgraphs, 0);
        b.addOffset(TfliteSchema.MODEL_DESCRIPTION, description, 0);
        b.addOffset(TfliteSchema.MODEL_BUFFERS, buffers, 0);
        if (metadata != 0) {
            b.addOffset(TfliteSchema.MODEL_METADATA, metadata, 0);
        }
        int model = b.endTable();
        b.finish(model, TfliteSchema.FILE_IDENTIFIER);
        return b.dataBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Upper estimate of the file size: the constant data plus generous room for tables. */
    static long estimateBytes(TfliteGraph graph) {
        long tables = 4096L + 512L * graph.tensors().size() + 256L * graph.operators().size();
        long alignment = (long) TfliteSchema.BUFFER_ALIGNMENT * 2 * (graph.tensors().size() + graph.metadata().size());
        return graph.constantBytes() + tables + alignment;
    }

    private static int buffer(FlatBufferBuilder b, byte[] data) {
        ByteBuffer target = b.createUnintializedVector(1, data.length, TfliteSchema.BUFFER_ALIGNMENT);
        target.put(data);
        int vector = b.endVector();
        b.startTable(TfliteSchema.BUFFER_FIELDS);
        b.addOffset(TfliteSchema.BUFFER_DATA, vector, 0);
        return b.endTable();
    }

    private static int operatorCode(FlatBufferBuilder b, TfliteOp op, int version) {
        b.startTable(TfliteSchema.OPCODE_FIELDS);
        // Readers take max(deprecated_builtin_code, builtin_code): the byte holds min(code, 127).
        b.addByte(TfliteSchema.OPCODE_DEPRECATED_BUILTIN_CODE,
                (byte) Math.min(op.code(), TfliteSchema.PLACEHOLDER_FOR_GREATER_OP_CODES), -1);
        b.addInt(TfliteSchema.OPCODE_VERSION, version, -1);
        b.addInt(TfliteSchema.OPCODE_BUILTIN_CODE, op.code(), -1);
        return b.endTable();
    }

    private static int tensor(FlatBufferBuilder b, TfliteGraph.Tensor t, int buffer) {
        int shape = intVector(b, t.shape());
        int name = b.createString(t.name());
        int quantization = t.quantization() == null ? 0 : quantization(b, t.quantization());
        b.startTable(TfliteSchema.TENSOR_FIELDS);
        b.addOffset(TfliteSchema.TENSOR_SHAPE, shape, 0);
        b.addByte(TfliteSchema.TENSOR_TYPE, t.type(), -1);
        b.addInt(TfliteSchema.TENSOR_BUFFER, buffer, -1);
        b.addOffset(TfliteSchema.TENSOR_NAME, name, 0);
        if (quantization != 0) {
            b.addOffset(TfliteSchema.TENSOR_QUANTIZATION, quantization, 0);
        }
        b.addBoolean(TfliteSchema.TENSOR_HAS_RANK, true, false);
        return b.endTable();
    }

    private static int quantization(FlatBufferBuilder b, TfliteGraph.Quantization q) {
        b.startVector(4, q.scales().length, 4);
        for (int i = q.scales().length - 1; i >= 0; i--) {
            b.addFloat(q.scales()[i]);
        }
        int scales = b.endVector();
        b.startVector(8, q.zeroPoints().length, 8);
        for (int i = q.zeroPoints().length - 1; i >= 0; i--) {
            b.addLong(q.zeroPoints()[i]);
        }
        int zeroPoints = b.endVector();
        b.startTable(TfliteSchema.QUANT_FIELDS);
        b.addOffset(TfliteSchema.QUANT_SCALE, scales, 0);
        b.addOffset(TfliteSchema.QUANT_ZERO_POINT, zeroPoints, 0);
        b.addInt(TfliteSchema.QUANT_QUANTIZED_DIMENSION, q.dimension(), 0);
        return b.endTable();
    }

    private static int operator(FlatBufferBuilder b, TfliteGraph.Operator op, int opcodeIndex) {
        int inputs = intVector(b, op.inputs());
        int outputs = intVector(b, op.outputs());
        int options = op.options() == null ? 0 : op.options().write(b);
        b.startTable(TfliteSchema.OPERATOR_FIELDS);
        b.addInt(TfliteSchema.OPERATOR_OPCODE_INDEX, opcodeIndex, -1);
        b.addOffset(TfliteSchema.OPERATOR_INPUTS, inputs, 0);
        b.addOffset(TfliteSchema.OPERATOR_OUTPUTS, outputs, 0);
        if (options != 0) {
            b.addByte(TfliteSchema.OPERATOR_BUILTIN_OPTIONS_TYPE, op.options().unionType(), 0);
            b.addOffset(TfliteSchema.OPERATOR_BUILTIN_OPTIONS, options, 0);
        }
        return b.endTable();
    }

    private static int intVector(FlatBufferBuilder b, int[] values) {
        b.startVector(4, values.length, 4);
        for (int i = values.length - 1; i >= 0; i--) {
            b.addInt(values[i]);
        }
        return b.endVector();
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
