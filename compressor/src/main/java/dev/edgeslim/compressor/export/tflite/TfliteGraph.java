package dev.edgeslim.compressor.export.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A single-subgraph TFLite model under construction: tensors (constants carry their little-endian bytes),
 * operators in execution order, the subgraph's inputs and outputs, a description and named metadata blobs.
 * {@link FlatbufferModelWriter} turns it into the .tflite flatbuffer.
 */
final class TfliteGraph {

    /** Affine quantization: real = scale[c] · (q − zeroPoint[c]) along {@code dimension} (one entry: per tensor). */
    record Quantization(float[] scales, long[] zeroPoints, int dimension) {
        static Quantization perTensor(QuantParams p) {
            return new Quantization(new float[] {(float) p.scale()}, new long[] {p.zeroPoint()}, 0);
        }
    }

    /** A tensor: {@code data} is null for activations, else the constant's bytes. */
    record Tensor(String name, int[] shape, byte type, byte[] data, Quantization quantization) {
    }

    /** One operator application: tensor indices in, tensor indices out. */
    record Operator(TfliteOp op, int version, int[] inputs, int[] outputs, OpOptions options) {
    }

    private final List<Tensor> tensors = new ArrayList<>();
    private final List<Operator> operators = new ArrayList<>();
    private final List<Integer> inputs = new ArrayList<>();
    private final List<Integer> outputs = new ArrayList<>();
    private final Map<String, byte[]> metadata = new LinkedHashMap<>();
    private String description = "";
    private long constantBytes;

    int addActivation(String name, int[] shape, byte type, Quantization quantization) {
        tensors.add(new Tensor(name, shape.clone(), type, null, quantization));
        return tensors.size() - 1;
    }

    int addConstant(String name, int[] shape, byte type, byte[] data, Quantization quantization) {
        tensors.add(new Tensor(name, shape.clone(), type, data, quantization));
        constantBytes += data.length;
        return tensors.size() - 1;
    }

    int addFloatConstant(String name, int[] shape, float[] values) {
        return addConstant(name, shape, TfliteSchema.FLOAT32, floatBytes(values), null);
    }

    int addIntConstant(String name, int[] shape, int[] values) {
        ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.asIntBuffer().put(values);
        return addConstant(name, shape, TfliteSchema.INT32, bb.array(), null);
    }

    void addOperator(TfliteOp op, int version, int[] in, int[] out, OpOptions options) {
        operators.add(new Operator(op, version, in.clone(), out.clone(), options));
    }

    void addInput(int tensor) {
        inputs.add(tensor);
    }

    void addOutput(int tensor) {
        outputs.add(tensor);
    }

    void setDescription(String text) {
        description = text;
    }

    void putMetadata(String name, byte[] data) {
        metadata.put(name, data.clone());
        constantBytes += data.length;
    }

    List<Tensor> tensors() {
        return Collections.unmodifiableList(tensors);
    }

    Tensor tensor(int index) {
        return tensors.get(index);
    }

    List<Operator> operators() {
        return Collections.unmodifiableList(operators);
    }

    List<Integer> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    List<Integer> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    Map<String, byte[]> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    String description() {
        return description;
    }

    /** Bytes of all constant data and metadata (the bulk of the file). */
    long constantBytes() {
        return constantBytes;
    }

    static byte[] floatBytes(float[] values) {
        ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(values);
        return bb.array();
    }
}
