package dev.edgeslim.compressor.export.onnx;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Encodes an {@link OnnxGraph} as an ONNX ModelProto in protobuf's wire format, field by field with the numbers
 * of {@link OnnxSchema}. Nested messages are encoded into their own buffer first (protobuf length-prefixes them).
 * Constants go in {@code raw_data}, so the file is at most protobuf's 2 GB message limit.
 */
final class OnnxModelWriter {
    /** Protobuf refuses to parse messages of 2 GB or more. */
    private static final long MAX_BYTES = Integer.MAX_VALUE;
    static final String PRODUCER = "EdgeSlim";

    private OnnxModelWriter() {
    }

    static byte[] write(OnnxGraph g) {
        long constants = 0;
        for (OnnxGraph.Initializer i : g.initializers()) {
            constants += i.raw().length;
        }
        if (constants >= MAX_BYTES) {
            throw new IllegalArgumentException("the model's constants take " + constants
                    + " bytes, over ONNX's 2 GB protobuf limit");
        }
        return message(out -> {
            out.writeInt64(OnnxSchema.MODEL_IR_VERSION, OnnxSchema.irVersion(g.opset()));
            out.writeString(OnnxSchema.MODEL_PRODUCER_NAME, PRODUCER);
            out.writeString(OnnxSchema.MODEL_PRODUCER_VERSION, OnnxModelWriter.class.getPackage()
                    .getImplementationVersion() == null ? "dev" : OnnxModelWriter.class.getPackage()
                    .getImplementationVersion());
            if (!g.docString().isEmpty()) {
                out.writeString(OnnxSchema.MODEL_DOC_STRING, g.docString());
            }
            out.writeByteArray(OnnxSchema.MODEL_GRAPH, graph(g));
            out.writeByteArray(OnnxSchema.MODEL_OPSET_IMPORT, message(o -> {
                o.writeString(OnnxSchema.OPSET_DOMAIN, "");
                o.writeInt64(OnnxSchema.OPSET_VERSION, g.opset());
            }));
            for (Map.Entry<String, String> e : g.metadata().entrySet()) {
                out.writeByteArray(OnnxSchema.MODEL_METADATA_PROPS, message(o -> {
                    o.writeString(OnnxSchema.ENTRY_KEY, e.getKey());
                    o.writeString(OnnxSchema.ENTRY_VALUE, e.getValue());
                }));
            }
        });
    }

    private static byte[] graph(OnnxGraph g) {
        return message(out -> {
            for (OnnxGraph.Node n : g.nodes()) {
                out.writeByteArray(OnnxSchema.GRAPH_NODE, node(n));
            }
            out.writeString(OnnxSchema.GRAPH_NAME, "edgeslim_yolo");
            for (OnnxGraph.Initializer i : g.initializers()) {
                out.writeByteArray(OnnxSchema.GRAPH_INITIALIZER, tensor(i));
            }
            for (OnnxGraph.Io io : g.inputs()) {
                out.writeByteArray(OnnxSchema.GRAPH_INPUT, valueInfo(io));
            }
            for (OnnxGraph.Io io : g.outputs()) {
                out.writeByteArray(OnnxSchema.GRAPH_OUTPUT, valueInfo(io));
            }
        });
    }

    private static byte[] node(OnnxGraph.Node n) {
        return message(out -> {
            for (String in : n.inputs()) {
                out.writeString(OnnxSchema.NODE_INPUT, in);
            }
            for (String o : n.outputs()) {
                out.writeString(OnnxSchema.NODE_OUTPUT, o);
            }
            out.writeString(OnnxSchema.NODE_NAME, n.name());
            out.writeString(OnnxSchema.NODE_OP_TYPE, n.opType());
            for (OnnxGraph.Attribute a : n.attributes()) {
                out.writeByteArray(OnnxSchema.NODE_ATTRIBUTE, attribute(a));
            }
        });
    }

    private static byte[] attribute(OnnxGraph.Attribute a) {
        return message(out -> {
            out.writeString(OnnxSchema.ATTR_NAME, a.name());
            Object v = a.value();
            if (v instanceof Float f) {
                out.writeFloat(OnnxSchema.ATTR_F, f);
                out.writeEnum(OnnxSchema.ATTR_TYPE, OnnxSchema.ATTR_TYPE_FLOAT);
            } else if (v instanceof Long l) {
                out.writeInt64(OnnxSchema.ATTR_I, l);
                out.writeEnum(OnnxSchema.ATTR_TYPE, OnnxSchema.ATTR_TYPE_INT);
            } else if (v instanceof String s) {
                out.writeString(OnnxSchema.ATTR_S, s);
                out.writeEnum(OnnxSchema.ATTR_TYPE, OnnxSchema.ATTR_TYPE_STRING);
            } else if (v instanceof long[] ints) {
                for (long i : ints) {
                    out.writeInt64(OnnxSchema.ATTR_INTS, i); // proto2 repeated scalars: unpacked
                }
                out.writeEnum(OnnxSchema.ATTR_TYPE, OnnxSchema.ATTR_TYPE_INTS);
            } else {
                throw new IllegalArgumentException("attribute " + a.name() + " has an unsupported type " + v);
            }
        });
    }

    private static byte[] tensor(OnnxGraph.Initializer t) {
        return message(out -> {
            for (long d : t.dims()) {
                out.writeInt64(OnnxSchema.TENSOR_DIMS, d);
            }
            out.writeInt32(OnnxSchema.TENSOR_DATA_TYPE, t.dataType());
            out.writeString(OnnxSchema.TENSOR_NAME, t.name());
            out.writeByteArray(OnnxSchema.TENSOR_RAW_DATA, t.raw());
        });
    }

    private static byte[] valueInfo(OnnxGraph.Io io) {
        byte[] shape = message(out -> {
            for (OnnxGraph.Dim d : io.dims()) {
                out.writeByteArray(OnnxSchema.SHAPE_DIM, message(o -> {
                    if (d.param() != null) {
                        o.writeString(OnnxSchema.DIM_PARAM, d.param());
                    } else {
                        o.writeInt64(OnnxSchema.DIM_VALUE, d.value());
                    }
                }));
            }
        });
        byte[] tensorType = message(out -> {
            out.writeInt32(OnnxSchema.TENSOR_TYPE_ELEM_TYPE, io.elemType());
            out.writeByteArray(OnnxSchema.TENSOR_TYPE_SHAPE, shape);
        });
        return message(out -> {
            out.writeString(OnnxSchema.VALUE_INFO_NAME, io.name());
            out.writeByteArray(OnnxSchema.VALUE_INFO_TYPE, message(o -> o.writeByteArray(OnnxSchema.TYPE_TENSOR_TYPE,
                    tensorType)));
        });
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
    }
}
