package dev.edgeslim.detector.weights;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DarknetWeightsTest {
    static List<Path> cfgs() {
        return ReferenceFiles.allCfgs();
    }

    @ParameterizedTest
    @MethodSource("cfgs")
    void writeThenReadIsLossless(Path cfg, @TempDir Path tmp) throws Exception {
        NetworkSpec spec = CfgParser.parse(cfg);
        WeightStore store = WeightInitializer.forTesting(spec, 7).withHeader(new DarknetHeader(0, 2, 5, 123456789012L));
        Path file = tmp.resolve("w.weights");
        DarknetWeights.write(store, spec, file);
        assertEquals(20 + 4 * DarknetWeights.expectedFloats(spec), Files.size(file));
        WeightStore back = DarknetWeights.read(file, spec);
        assertEquals(store, back);
        assertEquals(123456789012L, back.header().seen());
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temp files left behind");
        }
    }

    @Test
    void oldHeaderWithThirtyTwoBitSeenIsRead(@TempDir Path tmp) throws Exception {
        NetworkSpec spec = tinySpec();
        WeightStore store = WeightInitializer.forTesting(spec, 1).withHeader(new DarknetHeader(0, 1, 0, 4000));
        Path file = tmp.resolve("old.weights");
        DarknetWeights.write(store, spec, file);
        assertEquals(16 + 4 * DarknetWeights.expectedFloats(spec), Files.size(file));
        WeightStore back = DarknetWeights.read(file, spec);
        assertEquals(4000, back.header().seen());
        assertEquals(store, back);
    }

    @Test
    void darknetOrderIsBiasScalesMeanVarianceWeights() throws Exception {
        NetworkSpec spec = tinySpec();
        WeightStore store = WeightInitializer.forTesting(spec, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DarknetWeights.writeTo(store, bytes);
        FloatBufferView body = new FloatBufferView(bytes.toByteArray(), 20);
        ConvWeights first = store.conv(0);
        int n = first.filters();
        assertTrue(Arrays.equals(first.biases(), body.slice(0, n)));
        assertTrue(Arrays.equals(first.scales(), body.slice(n, n)));
        assertTrue(Arrays.equals(first.rollingMean(), body.slice(2 * n, n)));
        assertTrue(Arrays.equals(first.rollingVariance(), body.slice(3 * n, n)));
        assertTrue(Arrays.equals(first.weights(), body.slice(4 * n, first.weights().length)));
    }

    @Test
    void truncatedAndOversizedFilesSayHowManyFloats(@TempDir Path tmp) throws Exception {
        NetworkSpec spec = tinySpec();
        Path file = tmp.resolve("w.weights");
        DarknetWeights.write(WeightInitializer.forTesting(spec, 1), spec, file);
        byte[] all = Files.readAllBytes(file);
        long expected = DarknetWeights.expectedFloats(spec);

        Path truncated = tmp.resolve("truncated.weights");
        Files.write(truncated, Arrays.copyOf(all, all.length - 40));
        BadInputException e = assertThrows(BadInputException.class, () -> DarknetWeights.read(truncated, spec));
        assertTrue(e.getMessage().contains("truncated.weights"), e.getMessage());
        assertTrue(e.getMessage().contains(expected + " floats") && e.getMessage().contains("found " + (expected - 10)),
                e.getMessage());

        Path oversized = tmp.resolve("big.weights");
        Files.write(oversized, Arrays.copyOf(all, all.length + 8));
        e = assertThrows(BadInputException.class, () -> DarknetWeights.read(oversized, spec));
        assertTrue(e.getMessage().contains("oversized") && e.getMessage().contains("found " + (expected + 2)), e.getMessage());

        Path ragged = tmp.resolve("ragged.weights");
        Files.write(ragged, Arrays.copyOf(all, all.length + 3));
        e = assertThrows(BadInputException.class, () -> DarknetWeights.read(ragged, spec));
        assertTrue(e.getMessage().contains("whole number of floats"), e.getMessage());
    }

    @Test
    void garbageHeaderIsRefused(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("text.weights");
        Files.writeString(file, "this is definitely not a weights file, just some text that is long enough");
        BadInputException e = assertThrows(BadInputException.class, () -> DarknetWeights.read(file, tinySpec()));
        assertTrue(e.getMessage().contains("text.weights"), e.getMessage());
        Path tiny = tmp.resolve("short.weights");
        Files.write(tiny, new byte[5]);
        assertThrows(BadInputException.class, () -> DarknetWeights.read(tiny, tinySpec()));
        assertThrows(BadInputException.class, () -> DarknetWeights.read(tmp.resolve("missing.weights"), tinySpec()));
    }

    @Test
    void initializersAreSeeded() {
        NetworkSpec spec = tinySpec();
        assertEquals(WeightInitializer.forTraining(spec, 5), WeightInitializer.forTraining(spec, 5));
        assertNotEquals(WeightInitializer.forTraining(spec, 5), WeightInitializer.forTraining(spec, 6));
        assertEquals(WeightInitializer.forTesting(spec, 5), WeightInitializer.forTesting(spec, 5));
        WeightInitializer.forTraining(spec, 5).checkMatches(spec);
    }

    static NetworkSpec tinySpec() {
        return CfgParser.parse("""
                [net]
                width=32
                height=32
                channels=3
                [convolutional]
                batch_normalize=1
                filters=8
                size=3
                stride=2
                pad=1
                activation=leaky
                [convolutional]
                filters=14
                size=1
                stride=1
                activation=linear
                [yolo]
                mask=0,1
                anchors=4,4,8,8
                classes=2
                num=2
                """, "tiny.cfg");
    }

    /** Reads little-endian floats out of a byte array. */
    private record FloatBufferView(byte[] bytes, int offset) {
        float[] slice(int start, int n) {
            float[] out = new float[n];
            ByteBuffer b = ByteBuffer.wrap(bytes, offset + 4 * start, 4 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = b.getFloat();
            }
            return out;
        }
    }
}
