package dev.edgeslim.detector.train;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.fuzz.FuzzFiles;
import dev.edgeslim.detector.fuzz.InputContract;
import dev.edgeslim.detector.io.Sha256;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.WeightInitializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes what {@code --resume} reads: the checkpoint pointer {@code checkpoint.json} and the optimizer state file it
 * names (the weights beside them are {@link dev.edgeslim.detector.weights.DarknetWeightsFuzzTest}'s). Each run
 * starts from a real checkpoint of a tiny model; the fuzzer replaces one file (for the optimizer state the pointer's
 * SHA-256 is updated to match, so the parser itself is reached).
 * Fuzzing: {@code .ci/fuzz 2m CheckpointStoreFuzzTest#loadPointer} (or
 * {@code #loadOptimizerState}).
 */
class CheckpointStoreFuzzTest {
    static final NetworkSpec SPEC = CfgParser.parse(TinyModels.yolo(16, 2), "tiny.cfg");
    private static String validPointer;
    private static Path dir;

    private static synchronized Path checkpoint() {
        if (dir == null) {
            try {
                dir = FuzzFiles.emptyFolder("checkpoint");
                Map<String, float[]> slots = new LinkedHashMap<>();
                slots.put("conv0/kernel/momentum", new float[] {1, 2, 3});
                slots.put("conv1/bias/momentum", new float[] {4});
                new CheckpointStore(dir).save(new CheckpointStore.State(12, 3, 1, 7, Map.of("stage", "train")),
                        SPEC, WeightInitializer.forTesting(SPEC, 1), slots);
                validPointer = Files.readString(dir.resolve(CheckpointStore.POINTER));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /** A pointer loads a checkpoint with a sane loop state, or is refused with one line naming it. */
    @FuzzTest(maxDuration = "3m")
    void loadPointer(byte[] input) throws Exception {
        Path d = checkpoint();
        Path pointer = d.resolve(CheckpointStore.POINTER);
        Files.write(pointer, input);
        CheckpointStore.Loaded loaded = InputContract.valueOrRefusal(pointer.toString(),
                () -> new CheckpointStore(d).load(SPEC));
        if (loaded != null) {
            CheckpointStore.State s = loaded.state();
            assertTrue(s.iteration() >= 0 && s.epoch() >= 0 && s.batchInEpoch() >= 0, "loop state " + s);
        }
    }

    /** An optimizer state file (with a matching pointer) loads or is refused with one line naming a file. */
    @FuzzTest(maxDuration = "3m")
    void loadOptimizerState(byte[] input) throws Exception {
        Path d = checkpoint();
        Path state = d.resolve("ckpt-12.optimizer");
        Files.write(state, input);
        String sha = Sha256.of(state);
        Files.writeString(d.resolve(CheckpointStore.POINTER),
                validPointer.replaceAll("(\"optimizer_sha256\"\\s*:\\s*\")[0-9a-f]*", "$1" + sha));
        CheckpointStore.Loaded loaded = InputContract.valueOrRefusal(null, () -> new CheckpointStore(d).load(SPEC));
        if (loaded != null) {
            long floats = loaded.optimizerSlots().values().stream().mapToLong(v -> v.length).sum();
            assertTrue(4 * floats <= input.length, "slots cannot hold more floats than the file");
        }
    }
}
