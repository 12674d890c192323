package dev.edgeslim.compressor.export.tflite;

import com.google.flatbuffers.FlatBufferBuilder;

/**
 * An operator's builtin options: which member of the BuiltinOptions union it is, and how its table is
 * written. Field slots follow the declaration order of each table in schema.fbs.
 */
sealed interface OpOptions {

    /** Index of this options table in the BuiltinOptions union. */
    byte unionType();

    /** Writes the options table and returns its offset. */
    int write(FlatBufferBuilder b);

    static OpOptions add(boolean relu) {
        return new Arithmetic(TfliteSchema.OPT_ADD, relu ? TfliteSchema.ACT_RELU : TfliteSchema.ACT_NONE);
    }

    static OpOptions mul() {
        return new Arithmetic(TfliteSchema.OPT_MUL, TfliteSchema.ACT_NONE);
    }

    static OpOptions sub() {
        return new Arithmetic(TfliteSchema.OPT_SUB, TfliteSchema.ACT_NONE);
    }

    static OpOptions div() {
        return new Arithmetic(TfliteSchema.OPT_DIV, TfliteSchema.ACT_NONE);
    }

    /** Conv2DOptions {padding, stride_w, stride_h, fused_activation_function, dilation_w, dilation_h}. */
    record Conv2D(byte padding, int stride, byte activation) implements OpOptions {
        @Override
        public byte unionType() {
            return TfliteSchema.OPT_CONV_2D;
        }

        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(6);
            b.addByte(0, padding, -1);
            b.addInt(1, stride, 0);
            b.addInt(2, stride, 0);
            b.addByte(3, activation, -1);
            b.addInt(4, 1, 0);
            b.addInt(5, 1, 0);
            return b.endTable();
        }
    }

    /**
     * DepthwiseConv2DOptions {padding, stride_w, stride_h, depth_multiplier, fused_activation_function,
     * dilation_w, dilation_h}.
     */
    record DepthwiseConv2D(byte padding, int stride, int depthMultiplier, byte activation) implements OpOptions {
        @Override
        public byte unionType() {
            return TfliteSchema.OPT_DEPTHWISE_CONV_2D;
        }

        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(7);
            b.addByte(0, padding, -1);
            b.addInt(1, stride, 0);
            b.addInt(2, stride, 0);
            b.addInt(3, depthMultiplier, 0);
            b.addByte(4, activation, -1);
            b.addInt(5, 1, 0);
            b.addInt(6, 1, 0);
            return b.endTable();
        }
    }

    /** Pool2DOptions {padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function}. */
    record Pool2D(byte padding, int stride, int size) implements OpOptions {
        @Override
        public byte unionType() {
            return TfliteSchema.OPT_POOL_2D;
        }

        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(6);
            b.addByte(0, padding, -1);
            b.addInt(1, stride, 0);
            b.addInt(2, stride, 0);
            b.addInt(3, size, 0);
            b.addInt(4, size, 0);
            b.addByte(5, TfliteSchema.ACT_NONE, -1);
            return b.endTable();
        }
    }

    /** ConcatenationOptions {axis, fused_activation_function}. */
    record Concatenation(int axis) implements OpOptions {
        @Override
        public byte unionType() {
            return TfliteSchema.OPT_CONCATENATION;
        }

        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(2);
            b.addInt(0, axis, -1);
            b.addByte(1, TfliteSchema.ACT_NONE, -1);
            return b.endTable();
        }
    }

    /**
     * AddOptions and SubOptions {fused_activation_function, pot_scale_int16}, MulOptions {fused_activation_function} and
     * DivOptions {fused_activation_function}: the activation is their first field.
     */
    record Arithmetic(byte unionType, byte activation) implements OpOptions {
        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(1);
            b.addByte(0, activation, -1);
            return b.endTable();
        }
    }

    /** LeakyReluOptions {alpha}. */
    record LeakyRelu(float alpha) implements OpOptions {
        @Override
        public byte unionType() {
            return TfliteSchema.OPT_LEAKY_RELU;
        }

        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(1);
            b.addFloat(0, alpha, Double.NaN);
            return b.endTable();
        }
    }

    /** ReshapeOptions {new_shape}; the same shape is also the op's second (constant) input. */
    record Reshape(int[] newShape) implements OpOptions {
        @Override
        public byte unionType() {
            return TfliteSchema.OPT_RESHAPE;
        }

        @Override
        public int write(FlatBufferBuilder b) {
            b.startVector(4, newShape.length, 4);
            for (int i = newShape.length - 1; i >= 0; i--) {
                b.addInt(newShape[i]);
            }
            int shape = b.endVector();
            b.startTable(1);
            b.addOffset(0, shape, 0);
            return b.endTable();
        }
    }

    /** SplitOptions {num_splits}. */
    record Split(int parts) implements OpOptions {
        @Override
        public byte unionType() {
            return TfliteSchema.OPT_SPLIT;
        }

        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(1);
            b.addInt(0, parts, 0);
            return b.endTable();
        }
    }

    /** GatherOptions {axis, batch_dims}. */
    record Gather(int axis) implements OpOptions {
        @Override
        public byte unionType() {
            return TfliteSchema.OPT_GATHER;
        }

        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(2);
            b.addInt(0, axis, -1);
            return b.endTable();
        }
    }

    /** CastOptions {in_data_type, out_data_type}. */
    record Cast(byte from, byte to) implements OpOptions {
        @Override
        public byte unionType() {
            return TfliteSchema.OPT_CAST;
        }

        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(2);
            b.addByte(0, from, -1);
            b.addByte(1, to, -1);
            return b.endTable();
        }
    }

    /** An options table without fields (PadOptions, SliceOptions, DequantizeOptions, QuantizeOptions, ...). */
    record Empty(byte unionType) implements OpOptions {
        @Override
        public int write(FlatBufferBuilder b) {
            b.startTable(0);
            return b.endTable();
        }
    }
}
