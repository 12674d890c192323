package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.RawModel;

import org.tensorflow.lite.Interpreter;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared {@link RawModel} contract on top of a TFLite {@link Interpreter}: the letterboxed float image goes
 * in (quantized first when the model's input is int8), each head's output comes back as real values
 * (dequantized when int8), in the metadata's head order. Input/output buffers are allocated once and reused.
 * Not thread-safe (neither is the interpreter): one thread runs it.
 */
public final class InterpreterModel implements RawModel, Closeable {
    private final BackendLoader.Loaded loaded;
    private final Interpreter interpreter;
    private final ModelMetadata metadata;
    private final ByteBuffer input;
    private final byte[] inputScratch;
    private final Map<Integer, Object> outputs = new HashMap<Integer, Object>();
    private final ByteBuffer[] headBuffers;
    private long lastRunNanos;

    /** Takes ownership of the interpreter: {@link #close()} closes it (and its delegate). */
    InterpreterModel(BackendLoader.Loaded loaded, ModelMetadata metadata) {
        this.loaded = loaded;
        this.interpreter = loaded.interpreter;
        this.metadata = metadata;
        int inputLength = metadata.inputWidth() * metadata.inputHeight() * 3;
        this.input = metadata.inputEncoding().allocate(inputLength);
        this.inputScratch = metadata.inputEncoding().isInt8() ? new byte[inputLength] : null;
        List<OutputHead> heads = metadata.heads();
        this.headBuffers = new ByteBuffer[heads.size()];
        for (int i = 0; i < heads.size(); i++) {
            OutputHead h = heads.get(i);
            headBuffers[i] = h.encoding().allocate(h.head().outputLength());
            outputs.put(h.outputIndex(), headBuffers[i]);
        }
    }

    /** The exported models have batch 1: a phone runs one camera frame at a time. */
    @Override
    public float[][] run(float[] nhwcInput, int batch) {
        if (batch != 1) {
            throw new IllegalArgumentException("the model takes one image at a time, not " + batch);
        }
        metadata.inputEncoding().encode(nhwcInput, input, inputScratch);
        for (ByteBuffer b : headBuffers) {
            b.clear();
        }
        long start = System.nanoTime();
        interpreter.runForMultipleInputsOutputs(new Object[] {input}, outputs);
        lastRunNanos = System.nanoTime() - start;
        List<OutputHead> heads = metadata.heads();
        float[][] result = new float[heads.size()][];
        for (int i = 0; i < heads.size(); i++) {
            OutputHead h = heads.get(i);
            result[i] = h.encoding().decode(headBuffers[i], h.head().outputLength());
        }
        return result;
    }

    /** Wall time of the last interpreter call alone (no quantization or copies), in nanoseconds. */
    public long lastRunNanos() {
        return lastRunNanos;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    @Override
    public void close() {
        loaded.close();
    }
}
