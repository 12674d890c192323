package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The written flatbuffer, read back with an independent reader and loaded by the runtime. */
class TfliteFileStructureTest {

    private static ExportedTflite export(Precision precision) {
        NetworkSpec spec = TfliteExportParityTest.allFeatures();
        WeightStore weights = WeightInitializer.forTesting(spec, 2);
        return switch (precision) {
            case FP32 -> TfliteExporter.export(spec, weights, ExportOptions.fp32());
            case FP16 -> TfliteExporter.export(spec, weights, ExportOptions.fp16());
            case INT8 -> TfliteExporter.export(spec, weights, ExportOptions.int8(new SyntheticImages(3, 2), 2, 100));
        };
    }

    @Test
    void layoutFollowsTheSchema() {
        for (Precision precision : Precision.values()) {
            ExportedTflite model = export(precision);
            FlatbufferInspector f = new FlatbufferInspector(model.model());
            assertEquals("TFL3", f.identifier(), "file identifier at offset 4");
            int root = f.root();
            assertEquals(3, f.intField(root, 0, -1), "schema version");
            assertEquals(1, f.vectorLength(root, 2), "one subgraph");
            int buffers = f.vectorLength(root, 4);
            int buffer0 = f.tableAt(root, 4, 0);
            assertEquals(0, f.vectorLength(buffer0, 0), "buffer 0 is the empty sentinel");
            for (int b = 1; b < buffers; b++) {
                int data = f.vector(f.tableAt(root, 4, b), 0);
                assertTrue(data > 0 && data % 16 == 0, "buffer " + b + " data at " + data + " is 16-byte aligned");
            }
            for (int c = 0; c < f.vectorLength(root, 1); c++) {
                int code = f.tableAt(root, 1, c);
                int builtin = f.intField(code, 3, 0);
                assertEquals(Math.min(builtin, 127), f.byteField(code, 0, 0), "deprecated_builtin_code");
                assertTrue(f.intField(code, 2, 1) >= 1, "version");
            }
            // every constant tensor refers to its own non-empty buffer, every activation to buffer 0
            int subgraph = f.tableAt(root, 2, 0);
            Set<Integer> used = new HashSet<>();
            for (int t = 0; t < f.vectorLength(subgraph, 0); t++) {
                int tensor = f.tableAt(subgraph, 0, t);
                int buffer = f.intField(tensor, 2, 0);
                assertTrue(buffer >= 0 && buffer < buffers, "tensor buffer index");
                if (buffer != 0) {
                    assertTrue(used.add(buffer), "buffer " + buffer + " shared");
                }
            }
            assertEquals(2, f.vectorLength(subgraph, 2), "two [yolo] outputs");
            int metadata = f.tableAt(root, 6, 0);
            assertEquals(TfliteMetadata.MODEL_METADATA_NAME, f.string(metadata, 0));
            assertTrue(f.string(root, 3).contains(precision.cliName()), "description");
            try (TfliteRunner runner = TfliteRunner.load(model.model(), 1, TfliteRunner.Delegates.NONE)) {
                assertEquals(precision == Precision.INT8 ? "int8" : "float32", runner.input().dtype());
                assertEquals(2, runner.outputs().size());
            }
        }
    }

    /**
     * int8 by default computes Mish, Swish and logistic in float islands; {@code integerOnly} leaves no float
     * tensor in the file (the all-features network has all three), and both agree within one int8 step.
     */
    @Test
    void integerOnlyInt8HasNoFloatTensor() {
        NetworkSpec spec = TfliteExportParityTest.allFeatures();
        WeightStore weights = WeightInitializer.forTesting(spec, 2);
        ExportOptions int8 = ExportOptions.int8(new SyntheticImages(3, 2), 2, 100);
        ExportedTflite islands = TfliteExporter.export(spec, weights, int8);
        ExportedTflite integer = TfliteExporter.export(spec, weights, int8.withIntegerOnly(true));
        assertTrue(floatTensors(islands) > 0, "the default int8 form has float islands");
        assertEquals(0, floatTensors(integer), "float tensors in an integer-only model");
        FlatbufferInspector f = new FlatbufferInspector(integer.model());
        assertTrue(f.string(f.root(), 3).contains("integer only"), "description");
        float[] image = new SyntheticImages(8, 1).image(0, 48, 40);
        try (TfliteRunner a = TfliteRunner.load(islands.model(), 1, TfliteRunner.Delegates.NONE);
             TfliteRunner b = TfliteRunner.load(integer.model(), 1, TfliteRunner.Delegates.NONE)) {
            float[][] x = a.run(image);
            float[][] y = b.run(image);
            for (int k = 0; k < x.length; k++) {
                double step = islands.metadata().heads().get(k).quantization().scale();
                for (int i = 0; i < x[k].length; i++) {
                    // same tables up to float rounding at ties; a changed code can move later layers a step or two
                    assertEquals(x[k][i], y[k][i], 3 * step + 1e-6, "head " + k + " value " + i);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ExportOptions.fp32().withIntegerOnly(true));
        assertThrows(IllegalArgumentException.class, () -> int8.withFloatIo(true).withIntegerOnly(true));
    }

    /** Tensors of type FLOAT32 (TensorType 0, the schema default) in the model's subgraph. */
    private static int floatTensors(ExportedTflite model) {
        FlatbufferInspector f = new FlatbufferInspector(model.model());
        int subgraph = f.tableAt(f.root(), 2, 0);
        int count = 0;
        for (int t = 0; t < f.vectorLength(subgraph, 0); t++) {
            if (f.byteField(f.tableAt(subgraph, 0, t), 1, 0) == TfliteSchema.FLOAT32) {
                count++;
            }
        }
        return count;
    }

    @Test
    void theEmbeddedMetadataIsTheSidecarJson(@TempDir Path dir) throws Exception {
        ExportedTflite model = export(Precision.INT8);
        Path file = dir.resolve("m.tflite");
        model.write(file);
        FlatbufferInspector f = new FlatbufferInspector(ByteBuffer.wrap(Files.readAllBytes(file)));
        int root = f.root();
        int entry = f.tableAt(root, 6, 0);
        int buffer = f.tableAt(root, 4, f.intField(entry, 1, -1));
        String embedded = f.string(buffer, 0);
        assertEquals(Files.readString(TfliteMetadata.fileFor(file)), embedded);
        assertEquals(model.metadata(), TfliteMetadata.read(TfliteMetadata.fileFor(file)));
        try (TfliteRunner runner = TfliteRunner.load(file, 1, TfliteRunner.Delegates.DEFAULT)) {
            assertEquals(model.metadata().input().quantization().params(), runner.input().quantization());
            for (TfliteMetadata.Head h : model.metadata().heads()) {
                TfliteRunner.TensorInfo out = runner.outputs().get(h.outputIndex());
                assertEquals(h.quantization().params(), out.quantization());
                assertEquals(h.shape(), java.util.Arrays.stream(out.shape()).boxed().toList());
            }
        }
    }

    @Test
    void fp16IsHalfAndInt8AQuarterOfFp32() {
        // the file size does not depend on the input size: yolov4-tiny at 128 exports and calibrates quickly
        NetworkSpec spec = TfliteUpstreamCfgTest.upstream("yolov4-tiny.cfg", 128);
        WeightStore weights = WeightInitializer.forTesting(spec, 2);
        long fp32 = TfliteExporter.export(spec, weights, ExportOptions.fp32()).sizeBytes();
        long fp16 = TfliteExporter.export(spec, weights, ExportOptions.fp16()).sizeBytes();
        long int8 = TfliteExporter.export(spec, weights, ExportOptions.int8(new SyntheticImages(1, 1), 1, 100))
                .sizeBytes();
        long folded = 0; // kernels and biases after batch-norm folding
        for (int i : spec.convLayers()) {
            folded += spec.conv(i).weightCount(spec.inputChannelsOf(i)) + spec.conv(i).filters();
        }
        System.out.printf("yolov4-tiny sizes: fp32 %d (folded parameters x4 = %d), fp16 %d (x%.3f), int8 %d (x%.3f)%n",
                fp32, 4 * folded, fp16, (double) fp16 / fp32, int8, (double) int8 / fp32);
        assertTrue(fp32 > 4 * folded && fp32 < 1.01 * 4 * folded, "fp32 " + fp32 + " for " + folded + " parameters");
        assertEquals(0.5, (double) fp16 / fp32, 0.01);
        assertEquals(0.25, (double) int8 / fp32, 0.01);
    }

    @Test
    void theRuntimeRejectsADamagedFile(@TempDir Path dir) throws Exception {
        ByteBuffer good = export(Precision.FP32).model();
        byte[] bytes = new byte[good.remaining()];
        good.get(bytes);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 3);
        assertThrows(BadInputException.class,
                () -> TfliteRunner.load(ByteBuffer.wrap(truncated), 1, TfliteRunner.Delegates.NONE));
        byte[] badRoot = bytes.clone();
        badRoot[0] = (byte) 0xff;
        badRoot[1] = (byte) 0xff;
        badRoot[2] = (byte) 0xff;
        badRoot[3] = (byte) 0x7f;
        Path file = dir.resolve("bad.tflite");
        Files.write(file, badRoot);
        BadInputException e = assertThrows(BadInputException.class,
                () -> TfliteRunner.load(file, 1, TfliteRunner.Delegates.NONE));
        assertTrue(e.getMessage().contains("bad.tflite"), e.getMessage());
    }
}
