package dev.edgeslim.compressor.export.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model being built: nodes in topological order, constant initializers, typed graph inputs and outputs,
 * metadata properties and the single opset of the default domain. Tensor names are unique; {@link OnnxModelWriter}
 * serialises it.
 */
final class OnnxGraph {
    /** A dimension: a fixed size, or (when {@code param} is not null) a symbolic one such as the batch. */
    record Dim(long value, String param) {
        static Dim of(long value) {
            return new Dim(value, null);
        }
    }

    /** A graph input or output: name, element type ({@link OnnxSchema} DataType) and dimensions. */
    record Io(String name, int elemType, List<Dim> dims) {
    }

    /** A constant tensor: little-endian raw bytes of {@code dataType}. */
    record Initializer(String name, int dataType, long[] dims, byte[] raw) {
    }

    /** A node attribute of one of the types the writer knows: Float, Long, String or long[]. */
    record Attribute(String name, Object value) {
    }

    record Node(String opType, String name, List<String> inputs, List<String> outputs, List<Attribute> attributes) {
    }

    private final int opset;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private final List<Io> inputs = new ArrayList<>();
    private final List<Io> outputs = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private String docString = "";

    OnnxGraph(int opset) {
        this.opset = opset;
    }

    int opset() {
        return opset;
    }

    /** Adds a node; its outputs must be new names. */
    void node(String opType, String name, List<String> in, List<String> out, Attribute... attributes) {
        for (String o : out) {
            claim(o);
        }
        nodes.add(new Node(opType, name, List.copyOf(in), List.copyOf(out), List.of(attributes)));
    }

    void input(String name, int elemType, List<Dim> dims) {
        claim(name);
        inputs.add(new Io(name, elemType, List.copyOf(dims)));
    }

    void output(String name, int elemType, List<Dim> dims) {
        outputs.add(new Io(name, elemType, List.copyOf(dims)));
    }

    String floats(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return initializer(name, OnnxSchema.FLOAT, dims, b.array());
    }

    String longs(String name, long[] dims, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return initializer(name, OnnxSchema.INT64, dims, b.array());
    }

    String ints(String name, long[] dims, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return initializer(name, OnnxSchema.INT32, dims, b.array());
    }

    String bytes(String name, int dataType, long[] dims, byte[] raw) {
        return initializer(name, dataType, dims, raw.clone());
    }

    private String initializer(String name, int dataType, long[] dims, byte[] raw) {
        claim(name);
        initializers.add(new Initializer(name, dataType, dims.clone(), raw));
        return name;
    }

    void putMetadata(String key, String value) {
        metadata.put(key, value);
    }

    void setDocString(String doc) {
        docString = doc;
    }

    boolean has(String name) {
        return names.contains(name);
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("tensor name '" + name + "' is used twice");
        }
    }

    List<Node> nodes() {
        return nodes;
    }

    List<Initializer> initializers() {
        return initializers;
    }

    List<Io> inputs() {
        return inputs;
    }

    List<Io> outputs() {
        return outputs;
    }

    Map<String, String> metadata() {
        return metadata;
    }

    String docString() {
        return docString;
    }
}
