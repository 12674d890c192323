package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.Letterbox;
import dev.edgeslim.detector.postprocess.YoloHead;

import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The metadata EdgeSlim's TFLite exporter writes beside a model ({@code MODEL.tflite.json}, format
 * {@value #FORMAT} version {@value #FORMAT_VERSION}; the desktop reader is
 * {@code dev.edgeslim.compressor.export.tflite.TfliteMetadata}, which documents every field). This is the app's
 * reader: Java 8 and org.json (part of Android; {@code org.json:json} on the desktop), and strict, because a
 * mismatch between metadata and model would give wrong boxes silently. Only what the app can feed is accepted:
 * one NHWC RGB input in [0, 1] letterboxed with grey 0.5 ({@link Letterbox}), float32 or int8 tensors.
 * Immutable.
 */
public final class ModelMetadata {
    public static final String FORMAT = "edgeslim-tflite-yolo";
    /** 2 added each head's {@code new_coords}; version 1 heads all decode classically. */
    public static final int FORMAT_VERSION = 2;
    /** Larger metadata is refused before parsing (class names included, real files are a few kB). */
    public static final int MAX_CHARS = 16 << 20;
    static final int MAX_SIDE = 8192;
    static final int MAX_CLASSES = 10000;
    static final int MAX_HEADS = 64;
    static final int MAX_ANCHORS = 64;

    private final String precision;
    private final int inputWidth;
    private final int inputHeight;
    private final TensorEncoding inputEncoding;
    private final List<String> classNames;
    private final int classes;
    private final List<OutputHead> heads;

    private ModelMetadata(String precision, int inputWidth, int inputHeight, TensorEncoding inputEncoding,
                          int classes, List<String> classNames, List<OutputHead> heads) {
        this.precision = precision;
        this.inputWidth = inputWidth;
        this.inputHeight = inputHeight;
        this.inputEncoding = inputEncoding;
        this.classes = classes;
        this.classNames = classNames;
        this.heads = heads;
    }

    /**
     * Parses and checks metadata JSON.
     *
     * @param source names the file in messages (e.g. the asset path)
     * @throws ModelLoadException with one readable sentence naming the source and the first problem
     */
    public static ModelMetadata parse(String json, String source) throws ModelLoadException {
        if (json == null || json.trim().isEmpty()) {
            throw new ModelLoadException(source + ": the metadata file is empty");
        }
        if (json.length() > MAX_CHARS) {
            throw new ModelLoadException(source + ": the metadata file is larger than " + MAX_CHARS + " characters");
        }
        try {
            return read(new JSONObject(json));
        } catch (JSONException e) {
            throw new ModelLoadException(source + ": malformed or incomplete metadata JSON (" + e.getMessage() + ")",
                    e);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(source + ": " + e.getMessage(), e);
        }
    }

    // JSONException is checked on Android and unchecked in org.json:json: declare it for both
    private static ModelMetadata read(JSONObject root) throws JSONException {
        String format = root.optString("format", null);
        require(FORMAT.equals(format), "this is not EdgeSlim TFLite metadata (format is " + quoted(format)
                + ", expected \"" + FORMAT + "\")");
        int version = root.getInt("format_version");
        require(version >= 1 && version <= FORMAT_VERSION, "metadata format_version " + version
                + " is newer than this app understands (1.." + FORMAT_VERSION + "): update the app");
        String precision = root.getString("precision");

        JSONObject input = root.getJSONObject("input");
        int width = input.getInt("width");
        int height = input.getInt("height");
        require(width >= 1 && width <= MAX_SIDE && height >= 1 && height <= MAX_SIDE,
                "input size " + width + "x" + height + " is out of range 1.." + MAX_SIDE);
        require(input.getInt("channels") == 3, "the input must have 3 channels, got " + input.getInt("channels"));
        require("NHWC".equals(input.getString("layout")), "the input layout must be NHWC, got "
                + quoted(input.getString("layout")));
        require("RGB".equals(input.getString("color_order")), "the input color order must be RGB, got "
                + quoted(input.getString("color_order")));
        require("[0,1]".equals(input.getString("normalization")), "the input normalization must be \"[0,1]\", got "
                + quoted(input.getString("normalization")));
        double grey = input.getDouble("letterbox_grey");
        require(Math.abs(grey - Letterbox.PAD_VALUE) < 1e-6, "letterbox grey " + grey + " is not supported (the app"
                + " pads with " + Letterbox.PAD_VALUE + ")");
        TensorEncoding inputEncoding = encoding("input", input);

        int classes = root.getInt("classes");
        require(classes >= 1 && classes <= MAX_CLASSES, "classes must be within 1.." + MAX_CLASSES + ", got "
                + classes);
        JSONArray names = root.getJSONArray("class_names");
        require(names.length() == 0 || names.length() == classes, "class_names has " + names.length()
                + " names for " + classes + " classes");
        List<String> classNames = null;
        if (names.length() > 0) {
            classNames = new ArrayList<String>(names.length());
            for (int i = 0; i < names.length(); i++) {
                String n = names.getString(i);
                require(n.trim().length() > 0 && n.length() <= 256, "class name " + i + " must be 1..256 characters");
                classNames.add(n);
            }
            classNames = Collections.unmodifiableList(classNames);
        }

        JSONArray headArray = root.getJSONArray("heads");
        require(headArray.length() >= 1 && headArray.length() <= MAX_HEADS, "heads must list 1.." + MAX_HEADS
                + " heads, got " + headArray.length());
        List<OutputHead> heads = new ArrayList<OutputHead>(headArray.length());
        boolean[] usedOutput = new boolean[headArray.length()];
        for (int k = 0; k < headArray.length(); k++) {
            heads.add(head(headArray.getJSONObject(k), k, classes, width, height, usedOutput, version));
        }
        return new ModelMetadata(precision, width, height, inputEncoding, classes, classNames,
                Collections.unmodifiableList(heads));
    }

    private static OutputHead head(JSONObject h, int k, int classes, int netW, int netH, boolean[] usedOutput,
                                   int version)
            throws JSONException {
        String where = "heads[" + k + "]: ";
        int gridH = h.getInt("grid_height");
        int gridW = h.getInt("grid_width");
        require(gridH >= 1 && gridH <= MAX_SIDE && gridW >= 1 && gridW <= MAX_SIDE, where + "grid " + gridH + "x"
                + gridW + " is out of range");
        JSONArray anchors = h.getJSONArray("anchors");
        require(anchors.length() >= 1 && anchors.length() <= MAX_ANCHORS, where + "anchors must list 1.."
                + MAX_ANCHORS + " [w, h] pairs");
        float[] aw = new float[anchors.length()];
        float[] ah = new float[anchors.length()];
        for (int a = 0; a < anchors.length(); a++) {
            JSONArray pair = anchors.getJSONArray(a);
            require(pair.length() == 2, where + "anchor " + a + " must be a [w, h] pair");
            aw[a] = (float) pair.getDouble(0);
            ah[a] = (float) pair.getDouble(1);
        }
        int valuesPerAnchor = h.getInt("values_per_anchor");
        require(valuesPerAnchor == 5 + classes, where + "values_per_anchor must be 5 + classes = " + (5 + classes)
                + ", got " + valuesPerAnchor);
        int outputIndex = h.getInt("output_index");
        require(outputIndex >= 0 && outputIndex < usedOutput.length && !usedOutput[outputIndex],
                where + "output_index must be a distinct index below " + usedOutput.length + ", got " + outputIndex);
        usedOutput[outputIndex] = true;
        float scaleXY = (float) h.getDouble("scale_x_y");
        boolean newCoords = version >= 2 ? h.getBoolean("new_coords") : false;
        // YoloHead checks the numbers (positive anchors, scale_x_y >= 1, sizes) with readable messages
        YoloHead head;
        try {
            head = new YoloHead(gridH, gridW, classes, aw, ah, scaleXY, netW, netH, newCoords);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
        JSONArray shape = h.getJSONArray("shape");
        int[] expected = {1, gridH, gridW, head.channels()};
        boolean same = shape.length() == expected.length;
        for (int i = 0; same && i < expected.length; i++) {
            same = shape.getInt(i) == expected[i];
        }
        require(same, where + "shape must be " + java.util.Arrays.toString(expected) + ", got " + shape);
        return new OutputHead(head, outputIndex, encoding(where + "output", h));
    }

    /** dtype + quantization of a tensor entry: float32 without, int8 with quantization. */
    private static TensorEncoding encoding(String what, JSONObject tensor) throws JSONException {
        String dtype = tensor.getString("dtype");
        boolean hasQuant = tensor.has("quantization") && !tensor.isNull("quantization");
        if ("float32".equals(dtype)) {
            require(!hasQuant, what + " is float32 but has quantization parameters");
            return TensorEncoding.float32();
        }
        require("int8".equals(dtype), what + " dtype " + quoted(dtype) + " is not supported (float32 or int8)");
        require(hasQuant, what + " is int8 but has no quantization parameters");
        JSONObject q = tensor.getJSONObject("quantization");
        try {
            return TensorEncoding.int8((float) q.getDouble("scale"), q.getInt("zero_point"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " " + e.getMessage(), e);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String quoted(String s) {
        return s == null ? "missing" : "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }

    /** "fp32", "fp16" or "int8" as the exporter wrote it. */
    public String precision() {
        return precision;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public int inputHeight() {
        return inputHeight;
    }

    public TensorEncoding inputEncoding() {
        return inputEncoding;
    }

    public int classes() {
        return classes;
    }

    /** One name per class, or null when the exporter had none. */
    public List<String> classNames() {
        return classNames;
    }

    /** The heads in the metadata's ([yolo] layer) order. */
    public List<OutputHead> heads() {
        return heads;
    }

    /** The decoder geometry of every head, in {@link #heads()} order. */
    public List<YoloHead> yoloHeads() {
        List<YoloHead> out = new ArrayList<YoloHead>(heads.size());
        for (OutputHead h : heads) {
            out.add(h.head());
        }
        return out;
    }

    @Override
    public String toString() {
        return "ModelMetadata[" + precision + ", input " + inputWidth + "x" + inputHeight + " " + inputEncoding
                + ", " + classes + " classes, " + heads.size() + " heads]";
    }
}
