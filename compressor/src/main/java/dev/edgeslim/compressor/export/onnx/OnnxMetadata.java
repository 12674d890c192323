package dev.edgeslim.compressor.export.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.Shape;
import dev.edgeslim.detector.model.YoloLayer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's {@code metadata_props}: what an app needs to feed the model and decode its outputs, the content of
 * the TFLite export's metadata, as string entries (structured values are JSON):
 * <ul>
 *   <li>{@code edgeslim_format} = {@value #FORMAT}, {@code edgeslim_format_version} = {@value #FORMAT_VERSION},
 *   {@code precision} (fp32, fp16, int8; int8 is QDQ, the model's input and outputs are float32).</li>
 *   <li>{@code input}: {@code name}, {@code layout} "NCHW", {@code shape} ([batch, 3, height, width]; batch is the
 *   string "batch" when dynamic), {@code dtype} float32, {@code color_order} RGB, {@code normalization} "[0,1]"
 *   (pixel / 255), {@code letterbox_grey} 0.5 (aspect kept, centred, borders filled with it).</li>
 *   <li>{@code classes}, {@code class_names} (JSON array, empty when unknown).</li>
 *   <li>{@code heads}, in [yolo] layer order: {@code output} (graph output name), {@code layer}, {@code grid_height},
 *   {@code grid_width}, {@code stride}, {@code anchors} ([w, h] in input pixels, mask order), {@code scale_x_y},
 *   {@code values_per_anchor}, {@code layout} "NHWC" and {@code shape} [batch, grid_height, grid_width,
 *   anchors · values_per_anchor], channel = a · values_per_anchor + v with v = tx, ty, tw, th, objectness,
 *   classes… as raw logits (the TFLite export's output layout).</li>
 *   <li>{@code calibration} (int8 only): {@code images}, {@code method} (minmax or percentile), {@code percentile}.</li>
 * </ul>
 */
final class OnnxMetadata {
    static final String FORMAT = "edgeslim-onnx-yolo";
    static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnnxMetadata() {
    }

    static Map<String, String> of(NetworkSpec spec, OnnxExportOptions options, List<String> outputs) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("edgeslim_format", FORMAT);
        m.put("edgeslim_format_version", Integer.toString(FORMAT_VERSION));
        m.put("precision", options.base().precision().cliName());
        Shape in = spec.inputShape();
        ObjectNode input = JSON.createObjectNode();
        input.put("name", "input");
        input.put("layout", "NCHW");
        ArrayNode shape = input.putArray("shape");
        batch(shape, options);
        shape.add(in.channels()).add(in.height()).add(in.width());
        input.put("dtype", "float32");
        input.put("color_order", "RGB");
        input.put("normalization", "[0,1]");
        input.put("letterbox_grey", 0.5);
        m.put("input", write(input));
        m.put("classes", Integer.toString(spec.classes()));
        ArrayNode names = JSON.createArrayNode();
        options.base().classNames().forEach(names::add);
        m.put("class_names", write(names));
        ArrayNode heads = JSON.createArrayNode();
        List<Integer> yolo = spec.yoloLayers();
        for (int k = 0; k < yolo.size(); k++) {
            int layer = yolo.get(k);
            YoloLayer y = (YoloLayer) spec.layer(layer);
            Shape s = spec.shapeOf(layer);
            ObjectNode h = heads.addObject();
            h.put("output", outputs.get(k));
            h.put("layer", layer);
            h.put("grid_height", s.height());
            h.put("grid_width", s.width());
            h.put("stride", spec.strideOf(layer));
            ArrayNode anchors = h.putArray("anchors");
            for (int a = 0; a < y.mask().size(); a++) {
                anchors.addArray().add(y.anchorWidth(a)).add(y.anchorHeight(a));
            }
            h.put("scale_x_y", y.scaleXY());
            h.put("values_per_anchor", y.valuesPerAnchor());
            h.put("layout", "NHWC");
            ArrayNode hs = h.putArray("shape");
            batch(hs, options);
            hs.add(s.height()).add(s.width()).add(s.channels());
        }
        m.put("heads", write(heads));
        if (options.base().calibration() != null) {
            ObjectNode c = JSON.createObjectNode();
            c.put("images", options.base().calibrationImages());
            c.put("method", options.base().percentile() < 100 ? "percentile" : "minmax");
            c.put("percentile", options.base().percentile());
            m.put("calibration", write(c));
        }
        return m;
    }

    private static void batch(ArrayNode shape, OnnxExportOptions options) {
        if (options.dynamicBatch()) {
            shape.add("batch");
        } else {
            shape.add(1);
        }
    }

    private static String write(Object node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // trees of plain values always serialise
        }
    }
}
