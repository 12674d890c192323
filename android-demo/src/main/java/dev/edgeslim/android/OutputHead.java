package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.YoloHead;

/**
 * One YOLO head of an exported model: its geometry for the shared decoder ({@link YoloHead}), which interpreter
 * output holds it and how that output is stored. Immutable.
 */
public final class OutputHead {
    private final YoloHead head;
    private final int outputIndex;
    private final TensorEncoding encoding;

    public OutputHead(YoloHead head, int outputIndex, TensorEncoding encoding) {
        if (head == null || encoding == null) {
            throw new IllegalArgumentException("head and encoding are required");
        }
        if (outputIndex < 0) {
            throw new IllegalArgumentException("output index must be >= 0, got " + outputIndex);
        }
        this.head = head;
        this.outputIndex = outputIndex;
        this.encoding = encoding;
    }

    public YoloHead head() {
        return head;
    }

    /** The interpreter's output number holding this head. */
    public int outputIndex() {
        return outputIndex;
    }

    public TensorEncoding encoding() {
        return encoding;
    }

    /** The output tensor's shape: [1, gridHeight, gridWidth, anchors x (5 + classes)]. */
    public int[] shape() {
        return new int[] {1, head.gridHeight(), head.gridWidth(), head.channels()};
    }

    @Override
    public String toString() {
        return "output " + outputIndex + " " + head + " " + encoding;
    }
}
