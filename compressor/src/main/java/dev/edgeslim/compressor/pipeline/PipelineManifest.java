package dev.edgeslim.compressor.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.JsonErrors;
import dev.edgeslim.detector.io.Sha256;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a compress run: the format, the inputs with their SHA-256, the options (the run's typed
 * configuration as JSON), and each stage's status, results and the configuration it ran with. Re-running the same command skips finished stages; a folder whose
 * manifest records other inputs is refused, and one with other options is refused unless the caller asks to redo
 * the stages those options change ({@link #staleStages}), so outputs of different runs never mix.
 */
public final class PipelineManifest {
    public static final String FILE = "manifest.json";
    /** 2: options and stage identities are typed configurations; 1 (no field) recorded command lines. */
    public static final int FORMAT = 2;
    private static final long MAX_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path file;
    private final ObjectNode root;

    private PipelineManifest(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    /**
     * Opens the manifest of {@code dir} for these inputs and options: a new one when there is none, the existing one
     * when it records the same inputs and options, else a {@link BadInputException}.
     */
    public static PipelineManifest open(Path dir, Map<String, Path> inputs, List<String> options) throws IOException {
        return open(dir, inputs, JSON.valueToTree(options), false);
    }

    /**
     * As {@link #open(Path, Map, List)}, but with {@code otherOptions} a manifest recording other options is opened
     * as it is (its options unchanged until {@link #adoptOptions}); other inputs are refused either way.
     */
    public static PipelineManifest open(Path dir, Map<String, Path> inputs, JsonNode options, boolean otherOptions)
            throws IOException {
        Path file = dir.resolve(FILE);
        ObjectNode fresh = JSON.createObjectNode();
        fresh.put("edgeslim", "0.1.0");
        fresh.put("format", FORMAT);
        ObjectNode in = fresh.putObject("inputs");
        for (Map.Entry<String, Path> e : inputs.entrySet()) {
            ObjectNode n = in.putObject(e.getKey());
            n.put("path", e.getValue().toString());
            if (Files.isRegularFile(e.getValue())) {
                n.put("sha256", Sha256.of(e.getValue()));
            }
        }
        fresh.set("options", options.deepCopy());
        fresh.putObject("stages");
        if (!Files.exists(file)) {
            PipelineManifest m = new PipelineManifest(file, fresh);
            m.save();
            return m;
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new BadInputException(file, "manifest is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode old;
        try {
            old = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException(file, "not a readable manifest: " + JsonErrors.describe(e));
        }
        if (!(old instanceof ObjectNode existing) || !existing.path("stages").isObject()) {
            throw new BadInputException(file, "not an EdgeSlim compress manifest");
        }
        if (existing.path("format").asInt(1) != FORMAT) {
            throw new BadInputException(file, "written by another EdgeSlim version (manifest format "
                    + existing.path("format").asInt(1) + ", this version reads " + FORMAT + "); use another --out, "
                    + "or --force to replace that run");
        }
        if (!existing.path("inputs").equals(fresh.path("inputs"))) {
            throw new BadInputException(file, "this folder holds a compress run of other inputs (cfg, weights or data "
                    + "differ); use another --out, or --force to replace it");
        }
        if (!otherOptions && !existing.path("options").equals(fresh.path("options"))) {
            throw new BadInputException(file, "this folder holds a compress run with other options; use another --out,"
                    + " or --force to replace it");
        }
        return new PipelineManifest(file, existing);
    }

    /**
     * Reads the manifest of an existing run folder (read-only: nothing is checked against inputs or options).
     *
     * @throws BadInputException when {@code dir} has no readable compress manifest
     */
    public static PipelineManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(dir, "not a compress run folder (no " + FILE + ")");
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new BadInputException(file, "manifest is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException(file, "not a readable manifest: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(node instanceof ObjectNode root) || !root.path("stages").isObject() || !root.path("inputs").isObject()) {
            throw new BadInputException(file, "not an EdgeSlim compress manifest");
        }
        return new PipelineManifest(file, root);
    }

    /** The manifest's format: {@link #FORMAT}, or 1 for a manifest written before formats were numbered. */
    public int format() {
        return root.path("format").asInt(1);
    }

    /** The SHA-256 recorded for input {@code name} (a file: cfg, weights), or "" when none is recorded. */
    public String inputSha256(String name) {
        return root.path("inputs").path(name).path("sha256").asText("");
    }

    /** The path recorded for input {@code name} (cfg, weights, data). */
    public Path input(String name) {
        JsonNode path = root.path("inputs").path(name).path("path");
        if (!path.isTextual() || path.asText().isEmpty()) {
            throw new BadInputException(file, "records no input '" + name + "'");
        }
        return Path.of(path.asText());
    }

    public boolean done(String stage) {
        return root.path("stages").path(stage).path("status").asText().equals("done");
    }

    /** A result recorded for a done stage, as text; null when absent. */
    public String result(String stage, String key) {
        JsonNode v = root.path("stages").path(stage).path("results").path(key);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    public void markDone(String stage, Map<String, Object> results) throws IOException {
        markDone(stage, results, null);
    }

    /** Marks {@code stage} done with its results and the configuration it ran with (null: not recorded). */
    public void markDone(String stage, Map<String, Object> results, JsonNode config) throws IOException {
        ObjectNode s = ((ObjectNode) root.get("stages")).putObject(stage);
        s.put("status", "done");
        s.set("results", JSON.valueToTree(results));
        if (config != null) {
            s.set("config", config.deepCopy());
        }
        save();
    }

    /** The options this manifest records. */
    public JsonNode options() {
        return root.path("options");
    }

    /**
     * The done stages that {@code planned} would not repeat: those whose recorded configuration differs from the
     * planned one (or was not recorded), and every stage downstream of one ({@code upstream} maps a stage to the stage
     * whose outputs it reads). In the order of {@code planned}; stages not done are not listed (they run anyway).
     */
    public List<String> staleStages(Map<String, JsonNode> planned, Map<String, String> upstream) {
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : planned.entrySet()) {
            String stage = e.getKey();
            if (!done(stage)) {
                continue;
            }
            JsonNode recorded = root.path("stages").path(stage).path("config");
            boolean changed = recorded.isMissingNode() || !recorded.equals(e.getValue());
            if (changed || stale.contains(upstream.get(stage))) {
                stale.add(stage);
            }
        }
        return stale;
    }

    /** Drops {@code stage}'s record, so it counts as never run. */
    public void forget(String stage) throws IOException {
        ((ObjectNode) root.get("stages")).remove(stage);
        save();
    }

    /** Records {@code options} as this run's, replacing the earlier ones (after the stages they change were forgotten). */
    public void adoptOptions(JsonNode options) throws IOException {
        root.set("options", options.deepCopy());
        save();
    }

    private void save() throws IOException {
        AtomicFiles.writeString(file, JSON.writeValueAsString(root));
    }
}
