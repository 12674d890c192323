package dev.edgeslim.compressor.export.onnx;

import dev.edgeslim.compressor.export.lowering.ModelNotExportableException;
import dev.edgeslim.compressor.export.lowering.YoloLowering;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.Precision;
import dev.edgeslim.compressor.export.tflite.QuantParams;
import dev.edgeslim.compressor.export.tflite.TfliteExporter;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.Map;

/**
 * Writes a darknet YOLO network (spec + weights) as one ONNX graph, with no converter in between: the network is
 * lowered by the same {@link YoloLowering} as the TFLite export (batch norm folded, darknet's padding explicit,
 * route groups as Split/Slice, exact nearest upsampling), emitted as standard ONNX ops ({@link OnnxEmitter}) and
 * encoded by {@link OnnxModelWriter}.
 * <ul>
 *   <li>Input "input": float32 NCHW [1 or batch, 3, height, width], RGB in [0, 1], letterboxed.</li>
 *   <li>Outputs "head0", "head1", …: the raw maps feeding each [yolo] layer in {@code spec.yoloLayers()} order,
 *   NHWC [batch, H, W, anchors·(5 + classes)] like the TFLite export, so the same decoding serves both.</li>
 *   <li>int8: QDQ with the calibration plan of the TFLite int8 export ({@link TfliteExporter#int8Plan}).</li>
 * </ul>
 * Errors in the inputs (weights that do not match the spec, non-finite values, an opset outside
 * [{@value OnnxExportOptions#MIN_OPSET}, {@value OnnxExportOptions#MAX_OPSET}], values that do not fit the chosen
 * precision) are {@link BadInputException}s labelled with the options' source.
 */
public final class OnnxExporter {
    /**
     * An ONNX model, which an export may replace: a ModelProto opens with ir_version (field 1, a small varint)
     * followed by producer_name (field 2, length-delimited), as EdgeSlim's and the common exporters' files do.
     */
    public static final OutputFiles.Kind KIND = new OutputFiles.Kind("an ONNX model",
            head -> head.length >= 3 && head[0] == 0x08 && head[1] > 0 && head[1] < 0x80 && head[2] == 0x12);

    private OnnxExporter() {
    }

    /** Why the graph cannot be written in {@code opset}, or null when it can. */
    public static String opsetProblem(int opset) {
        if (opset < OnnxExportOptions.MIN_OPSET) {
            return "opset " + opset + " is too old for this graph: it needs opset " + OnnxExportOptions.MIN_OPSET
                    + " or newer (Split with sizes as an input, per-channel DequantizeLinear, Resize with scales)";
        }
        if (opset > OnnxExportOptions.MAX_OPSET) {
            return "opset " + opset + " is newer than " + OnnxExportOptions.MAX_OPSET + ", the newest written";
        }
        return null;
    }

    public static ExportedOnnx export(NetworkSpec spec, WeightStore weights, OnnxExportOptions options) {
        ExportOptions base = options.base();
        String source = base.source();
        String opsetProblem = opsetProblem(options.opset());
        if (opsetProblem != null) {
            throw new BadInputException(source, opsetProblem);
        }
        try {
            weights.checkMatches(spec);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source, "weights do not match the network: " + e.getMessage());
        }
        if (!base.classNames().isEmpty() && base.classNames().size() != spec.classes()) {
            throw new BadInputException(source, base.classNames().size() + " class names given, the network has "
                    + spec.classes() + " classes");
        }
        Map<String, QuantParams> plan = null;
        if (base.precision() == Precision.INT8) {
            if (spec.inputShape().channels() != 3) {
                throw new BadInputException(source, "int8 calibration images are RGB, the network takes "
                        + spec.inputShape().channels() + " channels");
            }
            plan = TfliteExporter.int8Plan(spec, weights, base);
        }
        try {
            OnnxGraph graph = new OnnxGraph(options.opset());
            OnnxEmitter emitter = new OnnxEmitter(graph, base.precision() == Precision.FP16, plan,
                    options.dynamicBatch() ? "batch" : null);
            YoloLowering.lower(spec, weights, emitter);
            Map<String, String> metadata = OnnxMetadata.of(spec, options, emitter.outputNames());
            metadata.forEach(graph::putMetadata);
            graph.setDocString("EdgeSlim YOLO export (" + base.precision().cliName()
                    + (plan != null ? " QDQ" : "") + "); raw [yolo] head maps, see metadata_props");
            return new ExportedOnnx(OnnxModelWriter.write(graph), emitter.outputNames(), metadata);
        } catch (ModelNotExportableException | IllegalArgumentException e) {
            throw new BadInputException(source, e.getMessage());
        }
    }
}
