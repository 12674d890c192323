package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.compressor.export.lowering.YoloLowering;
import dev.edgeslim.compressor.export.lowering.Value;
import dev.edgeslim.compressor.export.lowering.ModelNotExportableException;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.weights.WeightStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a darknet YOLO network (spec + weights) as a .tflite model, with no converter in between: the graph
 * is lowered by {@link YoloLowering} and serialised by {@link FlatbufferModelWriter}.
 * <ul>
 *   <li>Input: float32 (int8 for {@link Precision#INT8}, unless {@link ExportOptions#floatIo()}) NHWC
 *   [1, height, width, 3], RGB in [0, 1], the image
 *   letterboxed (aspect kept, centred, grey 0.5 borders).</li>
 *   <li>Outputs: the raw maps feeding each [yolo] layer, NHWC [1, H, W, anchors·(5 + classes)], in
 *   {@code spec.yoloLayers()} order; the shared post-processing decodes them (int8: dequantize first).</li>
 *   <li>FP32/FP16: see {@link FloatEmitter}. INT8: the float model, with every arithmetically computed map as an
 *   extra output, runs the calibration images ({@link Calibrator}); maps that int8 kernels require to share
 *   parameters are grouped ({@link ParamSharing}); then {@link Int8Emitter} writes the integer graph. The input
 *   is not calibrated: it is [0, 1], so scale 1/255 and zero point −128 (q = pixel − 128).</li>
 * </ul>
 * Errors in the inputs (weights that do not match the spec, non-finite values, nothing to output, values that
 * do not fit the chosen precision, a model over 2 GB) are {@link BadInputException}s labelled with
 * {@link ExportOptions#source()}.
 */
public final class TfliteExporter {
    /** The name {@link YoloLowering} gives the image. */
    private static final String INPUT = YoloLowering.INPUT;

    private TfliteExporter() {
    }

    public static ExportedTflite export(NetworkSpec spec, WeightStore weights, ExportOptions options) {
        String source = options.source();
        try {
            weights.checkMatches(spec);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source, "weights do not match the network: " + e.getMessage());
        }
        if (!options.classNames().isEmpty() && options.classNames().size() != spec.classes()) {
            throw new BadInputException(source, options.classNames().size() + " class names given, the network has "
                    + spec.classes() + " classes");
        }
        if (options.precision() == Precision.INT8 && spec.inputShape().channels() != 3) {
            throw new BadInputException(source, "int8 calibration images are RGB, the network takes "
                    + spec.inputShape().channels() + " channels");
        }
        try {
            return switch (options.precision()) {
                case FP32, FP16 -> exportFloat(spec, weights, options);
                case INT8 -> exportInt8(spec, weights, options);
            };
        } catch (ModelNotExportableException e) {
            throw new BadInputException(source, e.getMessage());
        }
    }

    private static ExportedTflite exportFloat(NetworkSpec spec, WeightStore weights, ExportOptions options) {
        FloatEmitter emitter = new FloatEmitter(options.precision() == Precision.FP16, null);
        List<Value> heads = YoloLowering.lower(spec, weights, emitter);
        TfliteMetadata metadata = metadata(spec, options, heads, null);
        return new ExportedTflite(finish(emitter.graph(), metadata, options), metadata);
    }

    private static ExportedTflite exportInt8(NetworkSpec spec, WeightStore weights, ExportOptions options) {
        Map<String, QuantParams> plan = calibrate(spec, weights, options);
        Int8Emitter emitter = new Int8Emitter(plan, options.floatIo(), options.integerOnly());
        List<Value> heads = YoloLowering.lower(spec, weights, emitter);
        TfliteMetadata metadata = metadata(spec, options, heads, plan);
        return new ExportedTflite(finish(emitter.graph(), metadata, options), metadata);
    }

    /**
     * The int8 parameters of every feature map, by the name {@link YoloLowering} gives it: the float model runs the
     * calibration images of {@code options} ({@link Calibrator}), maps that int8 kernels require to share parameters
     * are grouped ({@link ParamSharing}); the input is [0, 1] by contract (scale 1/255, zero point −128). Every int8
     * export (TFLite, ONNX QDQ) quantizes with this one plan. Errors as for {@link #export}.
     */
    public static Map<String, QuantParams> int8Plan(NetworkSpec spec, WeightStore weights, ExportOptions options) {
        if (options.precision() != Precision.INT8) {
            throw new IllegalArgumentException("an int8 plan needs int8 options with calibration images");
        }
        try {
            return calibrate(spec, weights, options);
        } catch (ModelNotExportableException e) {
            throw new BadInputException(options.source(), e.getMessage());
        }
    }

    private static Map<String, QuantParams> calibrate(NetworkSpec spec, WeightStore weights, ExportOptions options) {
        ParamSharing sharing = new ParamSharing();
        FloatEmitter calibrationGraph = new FloatEmitter(false, sharing);
        YoloLowering.lower(spec, weights, calibrationGraph);
        calibrationGraph.exposeComputedValues();
        ByteBuffer floatModel = write(calibrationGraph.graph(), options);
        Set<String> observed = new LinkedHashSet<>(sharing.sources());
        observed.remove(INPUT); // the input is [0, 1] by contract, not calibrated
        Map<String, double[]> ranges = new HashMap<>(Calibrator.ranges(floatModel, observed, options.calibration(),
                options.calibrationImages(), options.percentile(), options.threads()));
        ranges.put(INPUT, new double[] {0, 1});
        return sharing.resolve(ranges);
    }

    private static ByteBuffer finish(TfliteGraph graph, TfliteMetadata metadata, ExportOptions options) {
        graph.setDescription("EdgeSlim YOLO export (" + options.precision().cliName()
                + (options.floatIo() ? ", float I/O" : "") + (options.integerOnly() ? ", integer only" : "")
                + "); raw [yolo] head maps, "
                + "metadata in '" + TfliteMetadata.MODEL_METADATA_NAME + "'");
        graph.putMetadata(TfliteMetadata.MODEL_METADATA_NAME, metadata.toJson().getBytes(StandardCharsets.UTF_8));
        return write(graph, options);
    }

    private static ByteBuffer write(TfliteGraph graph, ExportOptions options) {
        try {
            return FlatbufferModelWriter.write(graph);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(options.source(), e.getMessage());
        }
    }

    private static TfliteMetadata metadata(NetworkSpec spec, ExportOptions options, List<Value> heads,
                                           Map<String, QuantParams> plan) {
        boolean int8 = plan != null;
        boolean int8Io = int8 && !options.floatIo();
        String dtype = int8Io ? "int8" : "float32";
        Shape in = spec.inputShape();
        TfliteMetadata.Input input = new TfliteMetadata.Input(in.width(), in.height(), in.channels(), "NHWC", dtype,
                "RGB", "[0,1]", 0.5, int8Io ? TfliteMetadata.Quantization.of(plan.get(INPUT)) : null);
        List<TfliteMetadata.Head> described = new ArrayList<>();
        List<Integer> yolo = spec.yoloLayers();
        for (int k = 0; k < yolo.size(); k++) {
            int layer = yolo.get(k);
            YoloLayer y = (YoloLayer) spec.layer(layer);
            Shape s = spec.shapeOf(layer);
            List<List<Double>> anchors = new ArrayList<>();
            for (int m = 0; m < y.mask().size(); m++) {
                anchors.add(List.of(y.anchorWidth(m), y.anchorHeight(m)));
            }
            Value head = heads.get(k);
            described.add(new TfliteMetadata.Head(layer, s.height(), s.width(), spec.strideOf(layer), anchors,
                    y.scaleXY(), y.newCoords(), y.valuesPerAnchor(), k, List.of(1, s.height(), s.width(), s.channels()), dtype,
                    int8Io ? TfliteMetadata.Quantization.of(plan.get(head.name())) : null));
        }
        TfliteMetadata.Calibration calibration = int8 ? new TfliteMetadata.Calibration(options.calibrationImages(),
                options.percentile() < 100 ? "percentile" : "minmax", options.percentile()) : null;
        TfliteMetadata m = new TfliteMetadata(TfliteMetadata.FORMAT, TfliteMetadata.FORMAT_VERSION,
                options.precision().cliName(), input, spec.classes(), options.classNames(), described, calibration);
        m.validate();
        return m;
    }
}
