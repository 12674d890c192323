package dev.edgeslim.compressor.export.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads back the structure of an ONNX file with protobuf's generic wire-format parser, independently of the
 * writer's classes: opset imports, nodes (op type, inputs, outputs), initializer names, graph inputs and outputs,
 * metadata_props. {@link #problems()} walks the graph.
 */
final class OnnxFileStructure {
    record Node(String opType, List<String> inputs, List<String> outputs) {
    }

    final Map<String, Long> opsets = new LinkedHashMap<>();
    final List<Node> nodes = new ArrayList<>();
    final List<String> initializers = new ArrayList<>();
    final List<String> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();
    final Map<String, String> metadata = new LinkedHashMap<>();
    long irVersion;

    static OnnxFileStructure read(byte[] model) throws IOException {
        OnnxFileStructure s = new OnnxFileStructure();
        CodedInputStream in = CodedInputStream.newInstance(model);
        in.setSizeLimit(Integer.MAX_VALUE);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> s.irVersion = in.readInt64();
                case 7 -> s.graph(in.readBytes().newCodedInput());
                case 8 -> {
                    Map<Integer, Object> f = fields(in.readBytes().newCodedInput());
                    s.opsets.put((String) f.getOrDefault(1, ""), (Long) f.getOrDefault(2, 0L));
                }
                case 14 -> {
                    Map<Integer, Object> f = fields(in.readBytes().newCodedInput());
                    s.metadata.put((String) f.get(1), (String) f.get(2));
                }
                default -> in.skipField(tag);
            }
        }
        return s;
    }

    private void graph(CodedInputStream in) throws IOException {
        in.setSizeLimit(Integer.MAX_VALUE);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> nodes.add(node(in.readBytes().newCodedInput()));
                case 5 -> initializers.add(name(in.readBytes().newCodedInput(), 8));
                case 11 -> inputs.add(name(in.readBytes().newCodedInput(), 1));
                case 12 -> outputs.add(name(in.readBytes().newCodedInput(), 1));
                default -> in.skipField(tag);
            }
        }
    }

    private static Node node(CodedInputStream in) throws IOException {
        List<String> ins = new ArrayList<>();
        List<String> outs = new ArrayList<>();
        String op = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> ins.add(in.readString());
                case 2 -> outs.add(in.readString());
                case 4 -> op = in.readString();
                default -> in.skipField(tag);
            }
        }
        return new Node(op, ins, outs);
    }

    private static String name(CodedInputStream in, int field) throws IOException {
        in.setSizeLimit(Integer.MAX_VALUE);
        String name = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == field) {
                name = in.readString();
            } else {
                in.skipField(tag);
            }
        }
        return name;
    }

    /** Field number → value for a message of string and varint fields. */
    private static Map<Integer, Object> fields(CodedInputStream in) throws IOException {
        Map<Integer, Object> f = new HashMap<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int n = WireFormat.getTagFieldNumber(tag);
            switch (WireFormat.getTagWireType(tag)) {
                case WireFormat.WIRETYPE_VARINT -> f.put(n, in.readInt64());
                case WireFormat.WIRETYPE_LENGTH_DELIMITED -> f.put(n, in.readString());
                default -> in.skipField(tag);
            }
        }
        return f;
    }

    /**
     * Graph-walk findings, empty when sound: every node input is a graph input, an initializer or the output of an
     * earlier node (or "" for an omitted optional input); every node output and graph input is read by a node or is
     * a graph output; every initializer is read; every graph output is produced; no name is produced twice.
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        Set<String> available = new HashSet<>(inputs);
        Set<String> produced = new HashSet<>(inputs);
        for (String i : initializers) {
            if (!available.add(i) || !produced.add(i)) {
                problems.add("initializer " + i + " shadows another name");
            }
        }
        Set<String> read = new HashSet<>();
        for (Node n : nodes) {
            for (String i : n.inputs()) {
                if (i.isEmpty()) {
                    continue;
                }
                if (!available.contains(i)) {
                    problems.add(n.opType() + " reads " + i + ", which nothing before it produces");
                }
                read.add(i);
            }
            for (String o : n.outputs()) {
                if (!produced.add(o)) {
                    problems.add(o + " is produced twice");
                }
                available.add(o);
            }
        }
        Set<String> graphOutputs = new HashSet<>(outputs);
        for (String o : outputs) {
            if (!available.contains(o)) {
                problems.add("graph output " + o + " is never produced");
            }
        }
        for (String p : produced) {
            if (!read.contains(p) && !graphOutputs.contains(p)) {
                problems.add(p + " is dangling: produced but never read");
            }
        }
        return problems;
    }
}
