package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.Detector;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import dev.edgeslim.detector.postprocess.Letterbox;

import org.tensorflow.lite.Interpreter;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The app's detector, free of android.* so the JVM tests run exactly this code: an exported EdgeSlim model run by
 * TFLite's {@link Interpreter} ({@link InterpreterModel}) inside the shared desktop pipeline
 * ({@link Detector}: letterbox, decode, NMS from {@code dev.edgeslim.detector.postprocess}).
 *
 * <p>{@link #open} checks everything it can before the first image (file identifier, metadata, tensor count,
 * shapes, types and quantization against the metadata, one warm-up run) and reports any problem as a
 * {@link ModelLoadException} with a readable message. Not thread-safe: use it from one thread.
 */
public final class AndroidDetector implements Closeable {
    private final String modelName;
    private final long modelBytes;
    private final ModelMetadata metadata;
    private final RuntimeSettings settings;
    private final InterpreterModel model;
    private final long warmupNanos;
    private final String fallbackMessage;
    private Detector detector;
    // camera frames: the letterbox of the last frame size and the tensor, reused while the size stays the same
    private Letterbox frameBox;
    private float[] frameTensor;

    private AndroidDetector(String modelName, long modelBytes, ModelMetadata metadata, RuntimeSettings settings,
                            InterpreterModel model, Detector detector, long warmupNanos, String fallbackMessage) {
        this.modelName = modelName;
        this.modelBytes = modelBytes;
        this.metadata = metadata;
        this.settings = settings;
        this.model = model;
        this.detector = detector;
        this.warmupNanos = warmupNanos;
        this.fallbackMessage = fallbackMessage;
    }

    /**
     * Loads a model with the backend of {@code settings}; when that backend cannot run it on this device (no GPU
     * support, an NNAPI driver that refuses an operator, ...), loads it on the CPU instead and says so in
     * {@link #fallbackMessage()}. Problems of the model itself (not a .tflite, metadata that does not match) are
     * never retried.
     *
     * @param model        the .tflite bytes: a MappedByteBuffer of the file or any ByteBuffer (copied into a direct
     *                     buffer when it is not one); must not change afterwards
     * @param metadataJson the {@code MODEL.tflite.json} text written by {@code edgeslim export --format tflite}
     * @param modelName    names the model in messages and on screen (e.g. its file name)
     */
    public static AndroidDetector open(ByteBuffer model, String metadataJson, String modelName,
                                       RuntimeSettings settings, DetectorOptions options) throws ModelLoadException {
        ModelMetadata metadata = ModelMetadata.parse(metadataJson, modelName + ".json");
        ByteBuffer buffer = direct(model);
        checkIdentifier(buffer, modelName);
        try {
            return openWith(buffer, metadata, modelName, settings, options, null);
        } catch (BackendFailure e) {
            if (settings.backend() == Backend.CPU) {
                throw e.toLoadException();
            }
            // XNNPACK first (the fast CPU path), the built-in kernels if even that fails
            Backend fallback = settings.backend() == Backend.XNNPACK ? Backend.CPU : Backend.XNNPACK;
            String why = settings.backend().label() + " cannot run " + modelName + " on this device ("
                    + e.getMessage() + "); running it on the CPU (" + fallback.label() + ") instead";
            try {
                return openWith(buffer, metadata, modelName, settings.withBackend(fallback), options, why);
            } catch (BackendFailure again) {
                if (fallback == Backend.CPU) {
                    throw again.toLoadException();
                }
                try {
                    return openWith(buffer, metadata, modelName, settings.withBackend(Backend.CPU), options,
                            why.replace("(" + fallback.label() + ")", "(" + Backend.CPU.label() + ")"));
                } catch (BackendFailure last) {
                    throw last.toLoadException();
                }
            }
        }
    }

    /** The interpreter could not be created or run with this backend; the model itself may be fine. */
    private static final class BackendFailure extends Exception {
        private final String fullMessage;

        BackendFailure(String shortMessage, String fullMessage, Throwable cause) {
            super(shortMessage, cause);
            this.fullMessage = fullMessage;
        }

        ModelLoadException toLoadException() {
            return new ModelLoadException(fullMessage, getCause());
        }
    }

    private static AndroidDetector openWith(ByteBuffer buffer, ModelMetadata metadata, String modelName,
                                            RuntimeSettings settings, DetectorOptions options, String fallbackMessage)
            throws ModelLoadException, BackendFailure {
        long size = buffer.remaining();
        BackendLoader.Loaded loaded;
        try {
            loaded = BackendLoader.load(buffer, settings);
        } catch (RuntimeException e) {
            throw new BackendFailure(message(e), "TensorFlow Lite cannot load " + modelName + ": " + message(e), e);
        } catch (LinkageError e) {
            throw new BackendFailure(message(e), "the TensorFlow Lite runtime is not available on this device ("
                    + message(e) + ")", e);
        }
        InterpreterModel raw = null;
        try {
            checkTensors(loaded.interpreter, metadata, modelName);
            raw = new InterpreterModel(loaded, metadata);
            Detector detector = new Detector(raw, metadata.yoloHeads(), options, metadata.classNames());
            long start = System.nanoTime();
            float[] grey = new float[metadata.inputWidth() * metadata.inputHeight() * 3];
            Arrays.fill(grey, Letterbox.PAD_VALUE);
            detector.postprocess(raw.run(grey), Letterbox.of(metadata.inputWidth(), metadata.inputHeight(),
                    metadata.inputWidth(), metadata.inputHeight()));
            long warmup = System.nanoTime() - start;
            return new AndroidDetector(modelName, size, metadata, settings, raw, detector, warmup, fallbackMessage);
        } catch (ModelLoadException e) {
            loaded.close();
            throw e;
        } catch (RuntimeException e) {
            loaded.close();
            throw new BackendFailure(message(e), "TensorFlow Lite cannot run " + modelName + ": " + message(e), e);
        }
    }

    /** The Interpreter wants a direct buffer (or a mapped file); a heap buffer is copied. */
    private static ByteBuffer direct(ByteBuffer model) throws ModelLoadException {
        if (model == null) {
            throw new ModelLoadException("no model bytes");
        }
        if (model.isDirect()) {
            return model;
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(model.remaining()).order(ByteOrder.nativeOrder());
        copy.put(model.duplicate());
        copy.rewind();
        return copy;
    }

    /** A .tflite file is a flatbuffer with the identifier "TFL3" at bytes 4..7. */
    private static void checkIdentifier(ByteBuffer buffer, String modelName) throws ModelLoadException {
        int p = buffer.position();
        boolean ok = buffer.remaining() >= 8 && buffer.get(p + 4) == 'T' && buffer.get(p + 5) == 'F'
                && buffer.get(p + 6) == 'L' && buffer.get(p + 7) == '3';
        if (!ok) {
            throw new ModelLoadException(modelName + " is not a TensorFlow Lite model (" + buffer.remaining()
                    + " bytes without the TFL3 file identifier); export one with"
                    + " `edgeslim export ... --format tflite`");
        }
    }

    private static void checkTensors(Interpreter interpreter, ModelMetadata metadata, String modelName)
            throws ModelLoadException {
        int inputs = interpreter.getInputTensorCount();
        int outputs = interpreter.getOutputTensorCount();
        List<OutputHead> heads = metadata.heads();
        if (inputs != 1 || outputs != heads.size()) {
            throw new ModelLoadException(modelName + " has " + inputs + " input(s) and " + outputs
                    + " output(s), but its metadata describes 1 input and " + heads.size() + " YOLO heads:"
                    + " the model and its .json do not belong together");
        }
        TensorInfo in = TensorInfo.of(interpreter.getInputTensor(0));
        if (in != null) {
            String problem = in.mismatch(new int[] {1, metadata.inputHeight(), metadata.inputWidth(), 3},
                    metadata.inputEncoding());
            if (problem != null) {
                throw new ModelLoadException(modelName + ": the input tensor has " + problem);
            }
        }
        for (OutputHead h : heads) {
            TensorInfo out = TensorInfo.of(interpreter.getOutputTensor(h.outputIndex()));
            if (out != null) {
                String problem = out.mismatch(h.shape(), h.encoding());
                if (problem != null) {
                    throw new ModelLoadException(modelName + ": output " + h.outputIndex() + " has " + problem);
                }
            }
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.trim().isEmpty()) {
            return e.getClass().getSimpleName();
        }
        m = m.trim();
        // native messages can be long multi-line dumps: the first line says what is wrong
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl).trim() : m;
    }

    /** Detects objects in ARGB pixels ({@code Bitmap.getPixels}, stride = width). */
    public DetectionResult detect(int[] argb, int width, int height) {
        long t0 = System.nanoTime();
        Letterbox box = Letterbox.of(width, height, metadata.inputWidth(), metadata.inputHeight());
        float[] tensor = box.toTensor(argb);
        return finish(tensor, box, t0);
    }

    /** Detects objects in interleaved RGB bytes (desktop images, tests). */
    public DetectionResult detect(byte[] rgb, int width, int height) {
        long t0 = System.nanoTime();
        Letterbox box = Letterbox.of(width, height, metadata.inputWidth(), metadata.inputHeight());
        float[] tensor = box.toTensor(rgb);
        return finish(tensor, box, t0);
    }

    /**
     * Detects objects in a camera frame already converted to upright ARGB ({@link FrameConverter}): the same
     * letterbox and model as {@link #detect(int[], int, int)}, with the geometry and the input tensor reused while
     * the frame size stays the same.
     */
    public DetectionResult detectFrame(int[] argb, int width, int height) {
        long t0 = System.nanoTime();
        if (frameBox == null || frameBox.imageWidth() != width || frameBox.imageHeight() != height) {
            frameBox = Letterbox.of(width, height, metadata.inputWidth(), metadata.inputHeight());
            frameTensor = new float[frameBox.tensorLength()];
        }
        frameBox.toTensor(argb, frameTensor);
        return finish(frameTensor, frameBox, t0);
    }

    /** Score threshold, NMS IoU etc. for the next images; the interpreter stays as it is. */
    public void setOptions(DetectorOptions options) {
        detector = new Detector(model, metadata.yoloHeads(), options, metadata.classNames());
    }

    /**
     * Why the model runs on another backend than the one asked for (e.g. "GPU cannot run m on this device (...);
     * running it on the CPU (XNNPACK) instead"), or null when it runs where asked.
     */
    public String fallbackMessage() {
        return fallbackMessage;
    }

    private DetectionResult finish(float[] tensor, Letterbox box, long t0) {
        long t1 = System.nanoTime();
        float[][] outputs = model.run(tensor);
        long t2 = System.nanoTime();
        long inference = model.lastRunNanos();
        return new DetectionResult(detector.postprocess(outputs, box), t1 - t0, inference,
                (t2 - t1 - inference) + (System.nanoTime() - t2));
    }

    public String modelName() {
        return modelName;
    }

    /** Size of the .tflite file in bytes. */
    public long modelBytes() {
        return modelBytes;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    public RuntimeSettings settings() {
        return settings;
    }

    public DetectorOptions options() {
        return detector.options();
    }

    /** The first (warm-up) run at load time, which includes one-off kernel preparation. */
    public double warmupMillis() {
        return warmupNanos / 1e6;
    }

    /** e.g. "model-int8 (int8, 5.8 MB), input 320x320, 20 classes, XNNPACK, 8 threads". */
    public String describe() {
        return String.format(Locale.ROOT, "%s (%s, %s), input %dx%d, %d classes, %s", modelName,
                metadata.precision(), formatBytes(modelBytes), metadata.inputWidth(), metadata.inputHeight(),
                metadata.classes(), settings.describe());
    }

    static String formatBytes(long bytes) {
        if (bytes >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
        }
        return String.format(Locale.ROOT, "%.1f kB", bytes / 1024.0);
    }

    @Override
    public void close() {
        model.close();
    }
}
