package dev.edgeslim.android;

import dev.edgeslim.compressor.export.tflite.ExportedTflite;
import dev.edgeslim.detector.postprocess.DetectorOptions;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broken or mismatched models end as one readable {@link ModelLoadException}, never a crash. */
class AndroidDetectorErrorsTest {
    static final RuntimeSettings SETTINGS = new RuntimeSettings(1, Backend.XNNPACK);

    @BeforeAll
    static void loadRuntime() {
        DesktopTflite.load();
    }

    @Test
    void textInsteadOfAModel() {
        String message = fails(ByteBuffer.wrap("<html>404 not found</html>".getBytes(StandardCharsets.UTF_8)),
                TestModels.int8().metadata().toJson());
        assertTrue(message.contains("broken.tflite is not a TensorFlow Lite model"), message);
        assertTrue(message.contains("TFL3"), message);
    }

    @Test
    void emptyFile() {
        assertTrue(fails(ByteBuffer.allocate(0), TestModels.int8().metadata().toJson())
                .contains("is not a TensorFlow Lite model (0 bytes"));
    }

    @Test
    void truncatedModelIsRejectedByTheFlatbufferVerifier() {
        ByteBuffer whole = TestModels.bytes(TestModels.int8());
        ByteBuffer half = ByteBuffer.allocateDirect(whole.remaining() / 2);
        ByteBuffer src = whole.duplicate();
        src.limit(whole.remaining() / 2);
        half.put(src).flip();
        String message = fails(half, TestModels.int8().metadata().toJson());
        assertTrue(message.startsWith("TensorFlow Lite cannot load broken.tflite: "), message);
    }

    @Test
    void corruptedBytesInsideTheModel() {
        ByteBuffer bytes = TestModels.bytes(TestModels.fp32());
        // keep the header (identifier) but overwrite the flatbuffer's tables
        for (int i = 8; i < Math.min(bytes.limit(), 4096); i++) {
            bytes.put(i, (byte) (i * 31));
        }
        String message = fails(bytes, TestModels.fp32().metadata().toJson());
        assertTrue(message.startsWith("TensorFlow Lite cannot load broken.tflite"), message);
    }

    @Test
    void metadataOfAnotherModel() {
        // an fp32 model with the int8 model's metadata: caught by the tensor type check, not by garbage boxes
        String message = fails(TestModels.bytes(TestModels.fp32()), TestModels.int8().metadata().toJson());
        assertEquals("broken.tflite: the input tensor has type float32 but the metadata says int8", message);
    }

    @Test
    void metadataWithAWrongGrid() throws Exception {
        JSONObject json = new JSONObject(TestModels.fp32().metadata().toJson());
        JSONObject head = json.getJSONArray("heads").getJSONObject(0);
        head.put("grid_height", 5);
        head.getJSONArray("shape").put(1, 5);
        String message = fails(TestModels.bytes(TestModels.fp32()), json.toString());
        assertTrue(message.startsWith("broken.tflite: output " + head.getInt("output_index") + " has shape"), message);
        assertTrue(message.contains("but the metadata says [1, 5, "), message);
    }

    @Test
    void brokenMetadata() {
        String message = fails(TestModels.bytes(TestModels.fp32()), "{\"format\": \"edgeslim-tflite-yolo\"");
        assertTrue(message.startsWith("broken.tflite.json: malformed or incomplete metadata JSON"), message);
    }

    @Test
    void aHeapBufferIsCopiedAndWorks() throws Exception {
        ExportedTflite model = TestModels.fp32();
        ByteBuffer src = model.model();
        byte[] bytes = new byte[src.remaining()];
        src.get(bytes);
        try (AndroidDetector d = AndroidDetector.open(ByteBuffer.wrap(bytes), model.metadata().toJson(), "heap",
                SETTINGS, DetectorOptions.defaults())) {
            assertEquals(bytes.length, d.modelBytes());
            assertTrue(d.describe().startsWith("heap (fp32, "), d.describe());
            assertTrue(d.warmupMillis() > 0);
        }
    }

    private static String fails(ByteBuffer model, String metadata) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> AndroidDetector.open(model, metadata,
                "broken.tflite", SETTINGS, DetectorOptions.defaults()));
        String message = e.getMessage();
        System.out.println("message: " + message);
        assertFalse(message.contains("\n"), message);
        assertTrue(message.length() < 400, message);
        return message;
    }
}
