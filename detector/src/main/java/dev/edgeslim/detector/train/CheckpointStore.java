package dev.edgeslim.detector.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.JsonErrors;
import dev.edgeslim.detector.io.Sha256;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training checkpoints in a folder: {@code ckpt-<iteration>.weights} (darknet), {@code ckpt-<iteration>.optimizer}
 * (momentum buffers) and {@code checkpoint.json}, which points at them with their SHA-256 and the loop state
 * (iteration, epoch, batch, seed). The pointer is written last and atomically, so a crash at any moment leaves
 * either the previous checkpoint or the new one, never a mix; older files are removed after the pointer moves.
 */
public final class CheckpointStore {
    public static final String POINTER = "checkpoint.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int OPTIMIZER_MAGIC = 0x45534f50; // "ESOP"
    /** A pointer is a few hundred bytes; anything much larger is not one. */
    private static final long MAX_POINTER_BYTES = 1 << 20;

    private final Path dir;

    /** Loop state restored from a checkpoint. */
    public record State(long iteration, int epoch, int batchInEpoch, long seed, Map<String, String> extra) {
        public State {
            extra = Map.copyOf(extra);
        }
    }

    /** A loaded checkpoint. */
    public record Loaded(State state, WeightStore weights, Map<String, float[]> optimizerSlots) {
    }

    public CheckpointStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public boolean exists() {
        return Files.exists(dir.resolve(POINTER));
    }

    public void save(State state, NetworkSpec spec, WeightStore weights, Map<String, float[]> optimizerSlots)
            throws IOException {
        Files.createDirectories(dir);
        String base = "ckpt-" + state.iteration();
        Path weightsFile = dir.resolve(base + ".weights");
        Path optimizerFile = dir.resolve(base + ".optimizer");
        DarknetWeights.write(weights, spec, weightsFile);
        AtomicFiles.write(optimizerFile, out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(OPTIMIZER_MAGIC);
            data.writeInt(optimizerSlots.size());
            for (Map.Entry<String, float[]> slot : optimizerSlots.entrySet()) {
                data.writeUTF(slot.getKey());
                data.writeInt(slot.getValue().length);
                for (float f : slot.getValue()) {
                    data.writeFloat(f);
                }
            }
            data.flush();
        });
        ObjectNode pointer = JSON.createObjectNode();
        pointer.put("iteration", state.iteration());
        pointer.put("epoch", state.epoch());
        pointer.put("batch_in_epoch", state.batchInEpoch());
        pointer.put("seed", state.seed());
        pointer.put("weights", weightsFile.getFileName().toString());
        pointer.put("weights_sha256", Sha256.of(weightsFile));
        pointer.put("optimizer", optimizerFile.getFileName().toString());
        pointer.put("optimizer_sha256", Sha256.of(optimizerFile));
        ObjectNode extra = pointer.putObject("extra");
        state.extra().forEach(extra::put);
        AtomicFiles.writeString(dir.resolve(POINTER), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(pointer));
        removeOthers(base);
    }

    public Loaded load(NetworkSpec spec) {
        Path pointerFile = dir.resolve(POINTER);
        try {
            if (Files.size(pointerFile) > MAX_POINTER_BYTES) {
                throw new BadInputException(pointerFile, "checkpoint pointer is larger than " + MAX_POINTER_BYTES
                        + " bytes");
            }
            JsonNode p;
            try {
                p = JSON.readTree(pointerFile.toFile());
            } catch (JsonProcessingException e) {
                throw new BadInputException(pointerFile, JsonErrors.describe(e));
            }
            if (p == null || !p.isObject()) {
                throw new BadInputException(pointerFile, "not a checkpoint pointer (expected a JSON object)");
            }
            long iteration = count(pointerFile, p, "iteration", Long.MAX_VALUE);
            int epoch = (int) count(pointerFile, p, "epoch", Integer.MAX_VALUE);
            int batchInEpoch = (int) count(pointerFile, p, "batch_in_epoch", Integer.MAX_VALUE);
            JsonNode seed = p.path("seed");
            if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
                throw new BadInputException(pointerFile, "\"seed\" must be an integer");
            }
            Path weightsFile = dir.resolve(safeName(pointerFile, p.path("weights").asText()));
            Path optimizerFile = dir.resolve(safeName(pointerFile, p.path("optimizer").asText()));
            if (!Sha256.of(weightsFile).equals(p.path("weights_sha256").asText())
                    || !Sha256.of(optimizerFile).equals(p.path("optimizer_sha256").asText())) {
                throw new BadInputException(pointerFile, "checkpoint files do not match their recorded SHA-256");
            }
            WeightStore weights = DarknetWeights.read(weightsFile, spec);
            Map<String, float[]> slots = readOptimizerState(optimizerFile);
            Map<String, String> extra = new LinkedHashMap<>();
            p.path("extra").fields().forEachRemaining(e -> extra.put(e.getKey(), e.getValue().asText()));
            State state = new State(iteration, epoch, batchInEpoch, seed.asLong(), extra);
            return new Loaded(state, weights, slots);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInputException(pointerFile, "checkpoint is incomplete: missing " + e.getFile());
        } catch (IOException e) {
            throw new BadInputException(pointerFile, "cannot read checkpoint: " + JsonErrors.describe(e));
        }
    }

    /** A non-negative whole number field of the pointer, at most {@code max}. */
    private static long count(Path pointer, JsonNode p, String field, long max) {
        JsonNode n = p.path(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0 || n.asLong() > max) {
            throw new BadInputException(pointer, "\"" + field + "\" must be a whole number within 0.." + max);
        }
        return n.asLong();
    }

    private static Map<String, float[]> readOptimizerState(Path optimizerFile) throws IOException {
        Map<String, float[]> slots = new LinkedHashMap<>();
        long budget = Files.size(optimizerFile) / 4;
        try (InputStream in = Files.newInputStream(optimizerFile);
             DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
            if (data.readInt() != OPTIMIZER_MAGIC) {
                throw new BadInputException(optimizerFile, "not an EdgeSlim optimizer state file");
            }
            int n = data.readInt();
            if (n < 0 || n > budget) {
                throw new BadInputException(optimizerFile, "corrupt slot count " + n);
            }
            for (int i = 0; i < n; i++) {
                String name = data.readUTF();
                int len = data.readInt();
                if (len < 0 || len > budget) {
                    throw new BadInputException(optimizerFile, "corrupt slot length " + len);
                }
                float[] values = new float[len];
                for (int k = 0; k < len; k++) {
                    values[k] = data.readFloat();
                }
                if (slots.put(name, values) != null) {
                    throw new BadInputException(optimizerFile, "slot '" + name + "' appears twice");
                }
            }
        } catch (java.io.EOFException e) {
            throw new BadInputException(optimizerFile, "optimizer state is truncated");
        } catch (java.io.UTFDataFormatException e) {
            throw new BadInputException(optimizerFile, "corrupt slot name");
        }
        return slots;
    }

    private static String safeName(Path pointer, String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new BadInputException(pointer, "checkpoint names an invalid file '" + name + "'");
        }
        return name;
    }

    private void removeOthers(String keepBase) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith("ckpt-") && !name.startsWith(keepBase + ".")
                        && (name.endsWith(".weights") || name.endsWith(".optimizer"))) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
