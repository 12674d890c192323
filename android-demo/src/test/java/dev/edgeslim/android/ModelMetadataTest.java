package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.YoloHead;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The app's metadata reader: what it takes from a valid file and the messages for broken ones. */
class ModelMetadataTest {

    /** Metadata shaped like the exporter's: a 2-head int8 model, 3 classes, input 64x96 (w x h). */
    static JSONObject sample() {
        JSONObject input = new JSONObject()
                .put("width", 64).put("height", 96).put("channels", 3).put("layout", "NHWC")
                .put("dtype", "int8").put("color_order", "RGB").put("normalization", "[0,1]")
                .put("letterbox_grey", 0.5)
                .put("quantization", new JSONObject().put("scale", 1 / 255.0).put("zero_point", -128));
        JSONArray heads = new JSONArray()
                .put(head(30, 3, 2, 32, 1, new double[][] {{81, 82}, {135, 169}}, 1.05, -3))
                .put(head(37, 6, 4, 16, 0, new double[][] {{23, 27}, {37, 58}}, 1.0, 5));
        return new JSONObject()
                .put("format", "edgeslim-tflite-yolo").put("format_version", 1).put("precision", "int8")
                .put("input", input).put("classes", 3)
                .put("class_names", new JSONArray().put("cat").put("dog").put("bird"))
                .put("heads", heads)
                .put("calibration", new JSONObject().put("images", 8).put("method", "minmax").put("percentile", 100));
    }

    private static JSONObject head(int layer, int gh, int gw, int stride, int outputIndex, double[][] anchors,
                                   double scaleXY, int zeroPoint) {
        JSONArray a = new JSONArray();
        for (double[] pair : anchors) {
            a.put(new JSONArray().put(pair[0]).put(pair[1]));
        }
        int per = 5 + 3;
        return new JSONObject().put("layer", layer).put("grid_height", gh).put("grid_width", gw)
                .put("stride", stride).put("anchors", a).put("scale_x_y", scaleXY).put("values_per_anchor", per)
                .put("output_index", outputIndex)
                .put("shape", new JSONArray().put(1).put(gh).put(gw).put(anchors.length * per))
                .put("dtype", "int8")
                .put("quantization", new JSONObject().put("scale", 0.125).put("zero_point", zeroPoint));
    }

    /** Version 2 says per head whether it decodes with darknet's new_coords=1; version 1 heads are classic. */
    @Test
    void readsTheNewCoordsDecodingOfVersion2() throws Exception {
        JSONObject v2 = sample().put("format_version", 2);
        v2.getJSONArray("heads").getJSONObject(0).put("new_coords", true);
        v2.getJSONArray("heads").getJSONObject(1).put("new_coords", false);
        ModelMetadata m = ModelMetadata.parse(v2.toString(), "m.tflite.json");
        assertTrue(m.heads().get(0).head().newCoords());
        assertFalse(m.heads().get(1).head().newCoords());
        assertFalse(ModelMetadata.parse(sample().toString(), "m.tflite.json").heads().get(0).head().newCoords());
        JSONObject missing = sample().put("format_version", 2);
        assertThrows(ModelLoadException.class, () -> ModelMetadata.parse(missing.toString(), "m.tflite.json"));
    }

    @Test
    void readsEverythingTheDetectorNeeds() throws Exception {
        ModelMetadata m = ModelMetadata.parse(sample().toString(), "m.tflite.json");
        assertEquals("int8", m.precision());
        assertEquals(64, m.inputWidth());
        assertEquals(96, m.inputHeight());
        assertTrue(m.inputEncoding().isInt8());
        assertEquals(1 / 255f, m.inputEncoding().scale(), 1e-9);
        assertEquals(-128, m.inputEncoding().zeroPoint());
        assertEquals(List.of("cat", "dog", "bird"), m.classNames());
        assertEquals(2, m.heads().size());

        OutputHead first = m.heads().get(0);
        assertEquals(1, first.outputIndex());
        assertEquals(0.125f, first.encoding().scale());
        assertEquals(-3, first.encoding().zeroPoint());
        assertArrayEquals(new int[] {1, 3, 2, 16}, first.shape());
        YoloHead h = first.head();
        assertEquals(3, h.gridHeight());
        assertEquals(2, h.gridWidth());
        assertEquals(3, h.classes());
        assertEquals(81f, h.anchorWidth(0));
        assertEquals(169f, h.anchorHeight(1));
        assertEquals(1.05f, h.scaleXY());
        assertEquals(64, h.inputWidth());
        assertEquals(96, h.inputHeight());
        assertEquals(0, m.heads().get(1).outputIndex());
        assertEquals(List.of(first.head(), m.heads().get(1).head()), m.yoloHeads());
    }

    @Test
    void floatModelsAndUnnamedClasses() throws Exception {
        JSONObject j = sample().put("precision", "fp32").put("class_names", new JSONArray());
        j.getJSONObject("input").put("dtype", "float32").put("quantization", JSONObject.NULL);
        for (int i = 0; i < 2; i++) {
            j.getJSONArray("heads").getJSONObject(i).put("dtype", "float32").remove("quantization");
        }
        ModelMetadata m = ModelMetadata.parse(j.toString(), "f.json");
        assertFalse(m.inputEncoding().isInt8());
        assertFalse(m.heads().get(0).encoding().isInt8());
        assertNull(m.classNames());
        assertEquals(3, m.classes());
    }

    @Test
    void brokenMetadataGivesReadableMessages() {
        assertMessage("{not json", "m.json: malformed or incomplete metadata JSON");
        assertMessage("", "m.json: the metadata file is empty");
        assertMessage(sample().put("format", "something-else").toString(), "not EdgeSlim TFLite metadata");
        assertMessage(sample().put("format_version", 3).toString(), "newer than this app understands");
        assertMessage(sample().put("classes", 4).toString(), "class_names has 3 names for 4 classes");
        JSONObject noHeads = sample();
        noHeads.remove("heads");
        assertMessage(noHeads.toString(), "incomplete metadata JSON");
        assertMessage(noHeads.toString(), "heads");
        JSONObject noQuant = sample();
        noQuant.getJSONObject("input").remove("quantization");
        assertMessage(noQuant.toString(), "input is int8 but has no quantization parameters");
        JSONObject uint8 = sample();
        uint8.getJSONArray("heads").getJSONObject(1).put("dtype", "uint8");
        assertMessage(uint8.toString(), "heads[1]: output dtype \"uint8\" is not supported");
        JSONObject sameOutput = sample();
        sameOutput.getJSONArray("heads").getJSONObject(1).put("output_index", 1);
        assertMessage(sameOutput.toString(), "heads[1]: output_index must be a distinct index below 2");
        JSONObject badShape = sample();
        badShape.getJSONArray("heads").getJSONObject(0).put("shape", new JSONArray().put(1).put(3).put(2).put(15));
        assertMessage(badShape.toString(), "heads[0]: shape must be [1, 3, 2, 16]");
        JSONObject negativeAnchor = sample();
        negativeAnchor.getJSONArray("heads").getJSONObject(0).getJSONArray("anchors")
                .put(0, new JSONArray().put(-1).put(5));
        assertMessage(negativeAnchor.toString(), "heads[0]: anchor 0 must have positive size");
        JSONObject grey = sample();
        grey.getJSONObject("input").put("letterbox_grey", 0.0);
        assertMessage(grey.toString(), "letterbox grey 0.0 is not supported");
        JSONObject zero = sample();
        zero.getJSONObject("input").getJSONObject("quantization").put("zero_point", 300);
        assertMessage(zero.toString(), "input int8 zero point must be within -128..127");
    }

    private static void assertMessage(String json, String expectedPart) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelMetadata.parse(json, "m.json"));
        assertTrue(e.getMessage().contains(expectedPart), "message '" + e.getMessage() + "' lacks '"
                + expectedPart + "'");
        assertTrue(e.getMessage().startsWith("m.json"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
