package dev.edgeslim.compressor.export.tflite;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.JsonErrors;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.model.SpecLimits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an app needs to feed an exported model and decode its outputs, written next to the model as
 * {@code MODEL.tflite.json} (and embedded in the model as the metadata entry {@value #MODEL_METADATA_NAME}).
 * JSON fields:
 * <ul>
 *   <li>{@code format} = {@value #FORMAT}, {@code format_version} = {@value #FORMAT_VERSION} (readers reject
 *   newer versions); {@code precision}: fp32, fp16 or int8.</li>
 *   <li>{@code input}: {@code width}, {@code height}, {@code channels} (3), {@code layout} "NHWC" (tensor
 *   [1, height, width, channels]), {@code dtype} float32 or int8, {@code color_order} "RGB",
 *   {@code normalization} "[0,1]" (value = pixel / 255), {@code letterbox_grey} 0.5 (the image is resized
 *   keeping its aspect ratio, centred, borders filled with this value), {@code quantization}
 *   ({@code scale}, {@code zero_point}; null for float). An int8 input takes q = clamp(round(x / scale) +
 *   zero_point, −128, 127) for x in [0,1]; with the usual scale 1/255 and zero point −128 that is simply
 *   q = pixel − 128 for a uint8 pixel.</li>
 *   <li>{@code classes}: number of classes; {@code class_names}: their names (empty when unknown).</li>
 *   <li>{@code heads}, in [yolo] layer order: {@code layer} (index in the cfg), {@code grid_height},
 *   {@code grid_width}, {@code stride} (input pixels per cell), {@code anchors} ([w, h] pairs in input pixels,
 *   this head's masked anchors in mask order), {@code scale_x_y}, {@code new_coords} (false: darknet's classic
 *   decoding, the values are logits: x = (sigmoid(tx)·s − (s−1)/2 + col)/W, w = exp(tw)·anchor, objectness and
 *   classes through sigmoid; true: darknet's new_coords=1, the values are sigmoid outputs already:
 *   x = (v·s − (s−1)/2 + col)/W, w = (2v)²·anchor), {@code values_per_anchor} (5 + classes),
 *   {@code output_index} (the interpreter's output number), {@code shape} ([1, grid_height, grid_width,
 *   anchors · values_per_anchor], channel = a · values_per_anchor + v with v = tx, ty, tw, th, objectness,
 *   classes… as raw logits, darknet's order before its [yolo] layer), {@code dtype} and {@code quantization}
 *   (real = scale · (q − zero_point); null for float).</li>
 *   <li>{@code calibration} (int8 only, else null): {@code images}, {@code method} ("minmax" or
 *   "percentile"), {@code percentile}.</li>
 * </ul>
 */
@JsonPropertyOrder({"format", "format_version", "precision", "input", "classes", "class_names", "heads", "calibration"})
public record TfliteMetadata(
        @JsonProperty("format") String format,
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("precision") String precision,
        @JsonProperty("input") Input input,
        @JsonProperty("classes") int classes,
        @JsonProperty("class_names") List<String> classNames,
        @JsonProperty("heads") List<Head> heads,
        @JsonProperty("calibration") Calibration calibration) {

    public static final String FORMAT = "edgeslim-tflite-yolo";

    /** An earlier metadata file, which an export may replace: JSON naming {@value #FORMAT}. */
    public static final OutputFiles.Kind KIND = new OutputFiles.Kind("EdgeSlim TFLite metadata",
            head -> new String(head, StandardCharsets.UTF_8).stripLeading().startsWith("{")
                    && new String(head, StandardCharsets.UTF_8).contains("\"" + FORMAT + "\""));
    /** 2 added each head's {@code new_coords}; version 1 heads are all classic (sigmoid/exp) heads. */
    public static final int FORMAT_VERSION = 2;
    /** Name of the model's metadata entry holding the same JSON. */
    public static final String MODEL_METADATA_NAME = "edgeslim_metadata";
    /** Largest metadata file accepted (class names included). */
    public static final long MAX_BYTES = 16L << 20;
    static final int MAX_HEADS = 64;

    public TfliteMetadata {
        classNames = classNames == null ? null : List.copyOf(classNames);
        heads = heads == null ? null : List.copyOf(heads);
    }

    /** Affine int8 quantization: real = scale · (q − zero_point). */
    @JsonPropertyOrder({"scale", "zero_point"})
    public record Quantization(@JsonProperty("scale") double scale, @JsonProperty("zero_point") int zeroPoint) {
        static Quantization of(QuantParams p) {
            return p == null ? null : new Quantization(p.scale(), p.zeroPoint());
        }

        public QuantParams params() {
            return new QuantParams(scale, zeroPoint);
        }
    }

    @JsonPropertyOrder({"width", "height", "channels", "layout", "dtype", "color_order", "normalization",
            "letterbox_grey", "quantization"})
    public record Input(@JsonProperty("width") int width, @JsonProperty("height") int height,
                        @JsonProperty("channels") int channels, @JsonProperty("layout") String layout,
                        @JsonProperty("dtype") String dtype, @JsonProperty("color_order") String colorOrder,
                        @JsonProperty("normalization") String normalization,
                        @JsonProperty("letterbox_grey") double letterboxGrey,
                        @JsonProperty("quantization") Quantization quantization) {
    }

    @JsonPropertyOrder({"layer", "grid_height", "grid_width", "stride", "anchors", "scale_x_y", "new_coords",
            "values_per_anchor",
            "output_index", "shape", "dtype", "quantization"})
    public record Head(@JsonProperty("layer") int layer, @JsonProperty("grid_height") int gridHeight,
                       @JsonProperty("grid_width") int gridWidth, @JsonProperty("stride") int stride,
                       @JsonProperty("anchors") List<List<Double>> anchors,
                       @JsonProperty("scale_x_y") double scaleXY,
                       @JsonProperty("new_coords") boolean newCoords,
                       @JsonProperty("values_per_anchor") int valuesPerAnchor,
                       @JsonProperty("output_index") int outputIndex, @JsonProperty("shape") List<Integer> shape,
                       @JsonProperty("dtype") String dtype,
                       @JsonProperty("quantization") Quantization quantization) {
        public Head {
            anchors = anchors == null ? null : anchors.stream().map(a -> a == null ? null : List.copyOf(a)).toList();
            shape = shape == null ? null : List.copyOf(shape);
        }
    }

    @JsonPropertyOrder({"images", "method", "percentile"})
    public record Calibration(@JsonProperty("images") int images, @JsonProperty("method") String method,
                              @JsonProperty("percentile") double percentile) {
    }

    private static final ObjectMapper WRITER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final ObjectMapper READER = readerMapper();

    private static ObjectMapper readerMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(16).maxStringLength(1 << 20).maxNumberLength(64).build());
        return mapper;
    }

    public String toJson() {
        try {
            return WRITER.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the JSON atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }

    /** The metadata file of a model: {@code MODEL.tflite.json} beside {@code MODEL.tflite}. */
    public static Path fileFor(Path model) {
        return model.resolveSibling(model.getFileName() + ".json");
    }

    /** Reads and validates a metadata file; anything malformed is a {@link BadInputException} naming the file. */
    public static TfliteMetadata read(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new BadInputException(file, "metadata file is " + size + " bytes, more than the limit "
                        + MAX_BYTES);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file, "no such file");
        } catch (IOException e) {
            throw new BadInputException(file, "cannot read: " + e.getMessage());
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses and validates metadata JSON; {@code source} names it in errors. */
    public static TfliteMetadata parse(String json, String source) {
        if (json.length() > MAX_BYTES) {
            throw new BadInputException(source, "metadata is longer than the limit " + MAX_BYTES);
        }
        TfliteMetadata m;
        try {
            m = READER.readValue(json, TfliteMetadata.class);
        } catch (JsonProcessingException e) {
            throw new BadInputException(source, "malformed metadata: " + JsonErrors.describe(e));
        }
        if (m == null) {
            throw new BadInputException(source, "metadata JSON is null");
        }
        try {
            m.validate();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source, e.getMessage());
        }
        return m;
    }

    /** @throws IllegalArgumentException naming the first inconsistent field */
    void validate() {
        require(FORMAT.equals(format), "format must be \"" + FORMAT + "\", got " + quoted(format));
        require(formatVersion >= 1 && formatVersion <= FORMAT_VERSION, "format_version " + formatVersion
                + " is not supported (this reader knows 1.." + FORMAT_VERSION + ")");
        require(Precision.fromName(String.valueOf(precision)) != null, "precision must be fp32, fp16 or int8, got "
                + quoted(precision));
        require(input != null, "input is missing");
        int maxSide = SpecLimits.MAX_INPUT_SIDE;
        require(input.width() >= 1 && input.width() <= maxSide && input.height() >= 1 && input.height() <= maxSide,
                "input width/height must be within 1.." + maxSide + ", got " + input.width() + "x" + input.height());
        require(input.channels() >= 1 && input.channels() <= 64, "input channels must be within 1..64, got "
                + input.channels());
        require("NHWC".equals(input.layout()), "input layout must be NHWC, got " + quoted(input.layout()));
        checkTensor("input", input.dtype(), input.quantization());
        require(input.letterboxGrey() >= 0 && input.letterboxGrey() <= 1, "letterbox_grey must be within [0,1]");
        require(classes >= 1 && classes <= SpecLimits.MAX_CLASSES, "classes must be within 1.."
                + SpecLimits.MAX_CLASSES + ", got " + classes);
        require(classNames != null, "class_names is missing (use [] when unknown)");
        require(classNames.isEmpty() || classNames.size() == classes, "class_names has " + classNames.size()
                + " names for " + classes + " classes");
        for (String n : classNames) {
            require(n != null && !n.isBlank() && n.length() <= 256, "class names must be 1..256 characters");
        }
        require(heads != null && !heads.isEmpty() && heads.size() <= MAX_HEADS, "heads must list 1.." + MAX_HEADS
                + " heads");
        Set<Integer> outputIndices = new HashSet<>();
        for (int k = 0; k < heads.size(); k++) {
            Head h = heads.get(k);
            String where = "heads[" + k + "]: ";
            require(h != null, where + "is null");
            require(h.layer() >= 0 && h.layer() < SpecLimits.MAX_LAYERS, where + "layer out of range");
            require(h.gridHeight() >= 1 && h.gridHeight() <= maxSide && h.gridWidth() >= 1
                    && h.gridWidth() <= maxSide, where + "grid size out of range");
            require(h.stride() >= 1 && h.stride() <= maxSide, where + "stride out of range");
            require(h.anchors() != null && !h.anchors().isEmpty() && h.anchors().size() <= SpecLimits.MAX_ANCHORS,
                    where + "anchors must list 1.." + SpecLimits.MAX_ANCHORS + " [w, h] pairs");
            for (List<Double> a : h.anchors()) {
                require(a != null && a.size() == 2 && a.get(0) != null && a.get(1) != null && a.get(0) > 0
                        && a.get(1) > 0 && a.get(0) < 1e5 && a.get(1) < 1e5, where + "anchors must be positive [w, h] pairs");
            }
            require(h.scaleXY() > 0 && h.scaleXY() < 100, where + "scale_x_y must be positive");
            require(h.valuesPerAnchor() == 5 + classes, where + "values_per_anchor must be 5 + classes = "
                    + (5 + classes) + ", got " + h.valuesPerAnchor());
            require(h.outputIndex() >= 0 && h.outputIndex() < heads.size() && outputIndices.add(h.outputIndex()),
                    where + "output_index must be a distinct index below " + heads.size());
            List<Integer> expected = List.of(1, h.gridHeight(), h.gridWidth(), h.anchors().size() * h.valuesPerAnchor());
            require(expected.equals(h.shape()), where + "shape must be " + expected + ", got " + h.shape());
            checkTensor(where + "output", h.dtype(), h.quantization());
        }
        boolean int8 = "int8".equals(precision);
        require(int8 == (calibration != null), "calibration must be present exactly for int8 models");
        if (calibration != null) {
            require(calibration.images() >= 1, "calibration images must be positive");
            require("minmax".equals(calibration.method()) || "percentile".equals(calibration.method()),
                    "calibration method must be minmax or percentile, got " + quoted(calibration.method()));
            require(calibration.percentile() > 50 && calibration.percentile() <= 100,
                    "calibration percentile must be within (50, 100]");
        }
    }

    private static void checkTensor(String what, String dtype, Quantization q) {
        require("float32".equals(dtype) || "int8".equals(dtype), what + " dtype must be float32 or int8, got "
                + quoted(dtype));
        boolean int8 = "int8".equals(dtype);
        require(int8 == (q != null), what + " quantization must be given exactly for int8");
        if (q != null) {
            require(q.scale() > 0 && Double.isFinite(q.scale()), what + " quantization scale must be positive");
            require(q.zeroPoint() >= QuantParams.QMIN && q.zeroPoint() <= QuantParams.QMAX,
                    what + " zero_point must be within -128..127");
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
}
