package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.LimitProperty;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.BuiltinOpResolverWithoutDefaultDelegates;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.TfLiteTensor;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteFloat32;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteInt8;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteOk;

/**
 * Runs a .tflite model with the TFLite C++ runtime (bytedeco tensorflow-lite, TFLite 2.18) from Java: one
 * float32 or int8 input, any number of float32 or int8 outputs. {@link #run(float[])} takes real values and
 * returns real values whatever the model's types: int8 inputs are quantized with the input tensor's scale and
 * zero point, int8 outputs dequantized with theirs. {@link #invokeRaw} and {@link #rawOutput} give the int8
 * bytes themselves.
 * <p>
 * {@link Delegates#XNNPACK} runs float32 and signed int8 operators on the XNNPACK delegate, created explicitly
 * with signed-int8 support ({@link XnnpackDelegate}); the fastest choice for int8 models, whose nodes TFLite's
 * own resolvers do not delegate in this build. {@link Delegates#DEFAULT} uses TFLite's builtin op resolver,
 * which applies the XNNPACK delegate this build creates by default (measured: it takes float graphs, and no int8
 * node — the bytedeco build lacks {@code XNNPACK_DELEGATE_ENABLE_QS8} — so int8 models run on TFLite's own int8
 * kernels, and a model without float tensors does not get the delegate at all); {@link Delegates#NONE} runs
 * TFLite's own kernels only. {@link #executionPlanSize()} shows what was delegated. Not thread-safe: one runner per
 * thread. Models are loaded with {@code VerifyAndBuildFromFile/Buffer}, which run the flatbuffer verifier:
 * the plain {@code BuildFromBuffer} of TFLite 2.18 does not, and a damaged file then crashes the JVM inside
 * {@code InterpreterBuilder}. Loading also refuses a model declaring a tensor over {@link #MAX_TENSOR_ELEMENTS}
 * values (before the runtime reserves memory) and input/output tensors without a buffer of their size.
 * <p>
 * Trust: this class's own checks are fuzzed ({@code TfliteModelFuzzTest}), but the TFLite runtime behind them is
 * not memory-safe against a hostile model: fuzzing found models that pass the verifier and then crash
 * {@code InterpreterBuilder}, or corrupt the native heap inside {@code Invoke}. So EdgeSlim loads only models it has
 * just exported itself, and no command loads a foreign .tflite.
 */
public final class TfliteRunner implements AutoCloseable {

    /**
     * Most values an input or output tensor may hold: callers allocate arrays of that size, so a model declaring a
     * giant tensor is refused at load instead of exhausting the heap (a 4096x4096 RGB input is 50 M).
     */
    public static final long MAX_TENSOR_ELEMENTS = Math.min(Integer.MAX_VALUE,
            LimitProperty.get("maxTensorElements", 64L << 20));

    /** Which kernels run the graph (see the class comment). */
    public enum Delegates {
        /** XNNPACK for float32 and signed int8 ops; TFLite's kernels for the rest (DEFAULT if unavailable). */
        XNNPACK,
        /** TFLite's builtin resolver and its default delegate: XNNPACK for float32 ops only, in this build. */
        DEFAULT,
        /** TFLite's own kernels only. */
        NONE
    }

    /** A tensor as the interpreter sees it; {@code quantization} is null for float tensors. */
    public record TensorInfo(String name, int[] shape, String dtype, QuantParams quantization) {
        public int elements() {
            return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }

        public boolean isInt8() {
            return "int8".equals(dtype);
        }
    }

    private final BytePointer modelBytes;
    private final FlatBufferModel model;
    private final BuiltinOpResolver resolver;
    /** The explicitly created delegate ({@link Delegates#XNNPACK}), else null; closed after the interpreter. */
    private final XnnpackDelegate xnnpack;
    private final Interpreter interpreter;
    private final TensorInfo input;
    private final List<TensorInfo> outputs;
    private final int[] outputTensor;
    private final int inputTensor;
    private final int operators;
    /** The model file (or "<tflite buffer>"), named when the model turns out not to run. */
    private final String source;

    private TfliteRunner(BytePointer modelBytes, FlatBufferModel model, String source, int threads,
                         Delegates delegates) {
        this.modelBytes = modelBytes;
        this.model = model;
        this.source = source;
        this.xnnpack = delegates == Delegates.XNNPACK ? XnnpackDelegate.create(threads) : null;
        boolean ownKernels = delegates == Delegates.NONE || xnnpack != null;
        this.resolver = ownKernels ? new BuiltinOpResolverWithoutDefaultDelegates() : new BuiltinOpResolver();
        this.interpreter = new Interpreter((org.bytedeco.javacpp.Pointer) null);
        InterpreterBuilder builder = new InterpreterBuilder(model, resolver);
        builder.SetNumThreads(threads);
        int status = builder.apply(interpreter);
        builder.close();
        if (status != kTfLiteOk || interpreter.isNull()) {
            close();
            throw new BadInputException(source, "the TFLite runtime cannot build an interpreter for this model"
                    + " (see its message above)");
        }
        String tooLarge = firstOversizedTensor(interpreter);
        if (tooLarge != null) {
            close();
            throw new BadInputException(source, tooLarge);
        }
        operators = (int) interpreter.nodes_size(); // before a delegate adds its partition nodes
        if (xnnpack != null && interpreter.ModifyGraphWithDelegate(xnnpack.delegate()) != kTfLiteOk) {
            close();
            throw new BadInputException(source, "the XNNPACK delegate cannot be applied to this model"
                    + " (see the runtime's message above)");
        }
        if (interpreter.AllocateTensors() != kTfLiteOk) {
            close();
            throw new BadInputException(source, "the TFLite runtime cannot allocate this model's tensors");
        }
        try {
            IntPointer ins = interpreter.inputs(); // JavaCPP gives null for an empty list
            long inputCount = ins == null ? 0 : ins.limit();
            if (inputCount != 1) {
                throw new BadInputException(source, "expected one input tensor, the model has " + inputCount);
            }
            inputTensor = ins.get(0);
            input = describe(interpreter.tensor(inputTensor), source);
            IntPointer outs = interpreter.outputs();
            if (outs == null || outs.limit() < 1) {
                throw new BadInputException(source, "the model has no output tensor");
            }
            outputTensor = new int[(int) outs.limit()];
            List<TensorInfo> described = new ArrayList<>();
            for (int i = 0; i < outputTensor.length; i++) {
                outputTensor[i] = outs.get(i);
                described.add(describe(interpreter.tensor(outputTensor[i]), source));
            }
            outputs = List.copyOf(described);
        } catch (BadInputException e) {
            close();
            throw e;
        }
    }

    /** Loads a model file (memory-mapped by the runtime). */
    public static TfliteRunner load(Path file, int threads, Delegates delegates) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file, "no such model file");
        }
        FlatBufferModel model = FlatBufferModel.VerifyAndBuildFromFile(file.toString());
        if (model == null || model.isNull()) {
            throw new BadInputException(file, "not a valid TFLite model (the flatbuffer verifier rejected it)");
        }
        return new TfliteRunner(null, model, file.toString(), checkThreads(threads), delegates);
    }

    /** Loads a model from memory (copied to native memory that lives as long as the runner). */
    public static TfliteRunner load(ByteBuffer modelFile, int threads, Delegates delegates) {
        ByteBuffer src = modelFile.duplicate();
        BytePointer bytes = new BytePointer(src.remaining());
        bytes.put(toArray(src));
        FlatBufferModel model = FlatBufferModel.VerifyAndBuildFromBuffer(bytes, bytes.capacity());
        if (model == null || model.isNull()) {
            bytes.close();
            throw new BadInputException("<tflite buffer>", "not a valid TFLite model (the flatbuffer verifier"
                    + " rejected it)");
        }
        return new TfliteRunner(bytes, model, "<tflite buffer>", checkThreads(threads), delegates);
    }

    private static int checkThreads(int threads) {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be within 1..256, got " + threads);
        }
        return threads;
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    /**
     * Why the model's declared tensors are too large to allocate (every tensor, before the runtime reserves memory
     * for them: a few bytes of model must not reserve gigabytes), or null.
     */
    private static String firstOversizedTensor(Interpreter interpreter) {
        for (int i = 0; i < interpreter.tensors_size(); i++) {
            TfLiteTensor t = interpreter.tensor(i);
            if (t == null || t.isNull() || t.dims() == null) {
                continue;
            }
            long elements = 1;
            for (int d = 0; d < t.dims().size(); d++) {
                elements *= Math.max(t.dims().data(d), 0);
                if (elements > MAX_TENSOR_ELEMENTS) {
                    return "tensor " + i + " declares more than the limit of " + MAX_TENSOR_ELEMENTS + " values"
                            + " (raise with -Dedgeslim.limit.maxTensorElements)";
                }
            }
        }
        return null;
    }

    /**
     * An input or output tensor after allocation, checked so that reading and writing it stays inside its buffer: a
     * hostile model can name a tensor without data or one whose shape does not fit its buffer.
     */
    private static TensorInfo describe(TfLiteTensor t, String source) {
        if (t == null || t.isNull() || t.dims() == null) {
            throw new BadInputException(source, "an input or output of the model is not a tensor");
        }
        int[] shape = new int[t.dims().size()];
        long elements = 1;
        for (int d = 0; d < shape.length; d++) {
            shape[d] = t.dims().data(d);
            elements *= Math.max(shape[d], 0);
            if (shape[d] < 0 || elements > MAX_TENSOR_ELEMENTS) {
                throw new BadInputException(source, "tensor shape " + Arrays.toString(shape) + " is negative or"
                        + " over the limit of " + MAX_TENSOR_ELEMENTS + " values (raise with"
                        + " -Dedgeslim.limit.maxTensorElements)");
            }
        }
        String name = t.name() == null ? "" : t.name().getString();
        long bytesNeeded = elements * (t.type() == kTfLiteInt8 ? 1 : 4);
        if (t.data() == null || t.data().raw() == null || t.bytes() < bytesNeeded) {
            throw new BadInputException(source, "tensor '" + name + "' has no data buffer of its size ("
                    + Arrays.toString(shape) + ")");
        }
        if (t.type() == kTfLiteFloat32) {
            return new TensorInfo(name, shape, "float32", null);
        }
        if (t.type() == kTfLiteInt8) {
            try {
                return new TensorInfo(name, shape, "int8",
                        new QuantParams(t.params().scale(), t.params().zero_point()));
            } catch (IllegalArgumentException e) {
                throw new BadInputException(source, "tensor '" + name + "': " + e.getMessage());
            }
        }
        throw new BadInputException(source, "tensor '" + name + "' has TFLite type " + t.type()
                + "; only float32 and int8 inputs/outputs are supported");
    }

    public TensorInfo input() {
        return input;
    }

    public List<TensorInfo> outputs() {
        return outputs;
    }

    /**
     * Nodes the interpreter executes per run: the model's operators, minus those a delegate took over, plus one
     * node per delegated partition (1 means the whole graph runs inside the delegate).
     */
    public int executionPlanSize() {
        return (int) interpreter.execution_plan().limit();
    }

    /** Operators in the model itself. */
    public int operatorCount() {
        return operators;
    }

    /** Runs one image (real values, the input tensor's layout) and returns every output as real values. */
    public float[][] run(float[] in) {
        checkLength(in.length);
        TfLiteTensor t = interpreter.tensor(inputTensor);
        if (input.isInt8()) {
            byte[] q = new byte[in.length];
            QuantParams p = input.quantization();
            for (int i = 0; i < in.length; i++) {
                q[i] = (byte) p.quantize(in[i]);
            }
            t.data().raw().put(q);
        } else {
            t.data().f().put(in);
        }
        invoke();
        float[][] result = new float[outputs.size()][];
        for (int o = 0; o < result.length; o++) {
            result[o] = output(o);
        }
        return result;
    }

    /** Runs one int8 image (already quantized with {@link #input()}'s parameters). */
    public void invokeRaw(byte[] in) {
        if (!input.isInt8()) {
            throw new IllegalStateException("the model input is " + input.dtype() + ", not int8");
        }
        checkLength(in.length);
        interpreter.tensor(inputTensor).data().raw().put(in);
        invoke();
    }

    /** Output {@code o} of the last run as real values. */
    public float[] output(int o) {
        TensorInfo info = outputs.get(o);
        TfLiteTensor t = interpreter.tensor(outputTensor[o]);
        float[] values = new float[info.elements()];
        if (info.isInt8()) {
            byte[] q = new byte[values.length];
            t.data().raw().get(q);
            QuantParams p = info.quantization();
            for (int i = 0; i < q.length; i++) {
                values[i] = (float) p.dequantize(q[i]);
            }
        } else {
            t.data().f().get(values);
        }
        return values;
    }

    /** Output {@code o} of the last run as stored int8 values. */
    public byte[] rawOutput(int o) {
        TensorInfo info = outputs.get(o);
        if (!info.isInt8()) {
            throw new IllegalStateException("output " + o + " is " + info.dtype() + ", not int8");
        }
        byte[] q = new byte[info.elements()];
        interpreter.tensor(outputTensor[o]).data().raw().get(q);
        return q;
    }

    private void checkLength(int length) {
        if (length != input.elements()) {
            throw new IllegalArgumentException("input has " + length + " values, the model expects "
                    + input.elements() + " " + Arrays.toString(input.shape()));
        }
    }

    /** A model that loads and allocates yet cannot run is a broken model file, reported as such. */
    private void invoke() {
        if (interpreter.Invoke() != kTfLiteOk) {
            throw new BadInputException(source, "the TFLite runtime cannot run this model (see its message above)");
        }
    }

    @Override
    public void close() {
        interpreter.close();
        if (xnnpack != null) {
            xnnpack.close();
        }
        resolver.close();
        model.close();
        if (modelBytes != null) {
            modelBytes.close();
        }
    }
}
