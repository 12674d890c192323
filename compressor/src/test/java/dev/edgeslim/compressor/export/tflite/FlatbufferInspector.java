package dev.edgeslim.compressor.export.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A minimal independent flatbuffer reader for tests (root table, vtable slots, vectors, strings), so the
 * writer's output is checked against the format itself rather than against the writer's own code.
 */
final class FlatbufferInspector {
    private final ByteBuffer bb;

    FlatbufferInspector(ByteBuffer model) {
        this.bb = model.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (bb.position() != 0) {
            throw new IllegalArgumentException("expected a buffer starting at 0");
        }
    }

    int root() {
        return bb.getInt(0);
    }

    String identifier() {
        byte[] id = new byte[4];
        for (int i = 0; i < 4; i++) {
            id[i] = bb.get(4 + i);
        }
        return new String(id, StandardCharsets.US_ASCII);
    }

    /** Absolute position of a field's value, or 0 when absent. */
    int field(int table, int slot) {
        int vtable = table - bb.getInt(table);
        int vtableSize = bb.getShort(vtable);
        int entry = 4 + 2 * slot;
        if (entry >= vtableSize) {
            return 0;
        }
        int offset = bb.getShort(vtable + entry);
        return offset == 0 ? 0 : table + offset;
    }

    int intField(int table, int slot, int fallback) {
        int f = field(table, slot);
        return f == 0 ? fallback : bb.getInt(f);
    }

    int byteField(int table, int slot, int fallback) {
        int f = field(table, slot);
        return f == 0 ? fallback : bb.get(f);
    }

    /** Position of the first element of a vector field, or -1 when absent. */
    int vector(int table, int slot) {
        int f = field(table, slot);
        return f == 0 ? -1 : f + bb.getInt(f) + 4;
    }

    int vectorLength(int table, int slot) {
        int f = field(table, slot);
        return f == 0 ? 0 : bb.getInt(f + bb.getInt(f));
    }

    /** The i-th table of a vector of tables. */
    int tableAt(int table, int slot, int i) {
        int element = vector(table, slot) + 4 * i;
        return element + bb.getInt(element);
    }

    int intAt(int table, int slot, int i) {
        return bb.getInt(vector(table, slot) + 4 * i);
    }

    String string(int table, int slot) {
        int start = vector(table, slot);
        if (start < 0) {
            return null;
        }
        byte[] b = new byte[vectorLength(table, slot)];
        for (int i = 0; i < b.length; i++) {
            b[i] = bb.get(start + i);
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
