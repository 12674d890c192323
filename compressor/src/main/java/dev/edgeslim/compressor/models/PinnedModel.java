package dev.edgeslim.compressor.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.data.DatasetFingerprint;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.JsonErrors;
import dev.edgeslim.detector.io.Sha256;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained model kept with what it takes to trust it later: its cfg, weights and class names with their SHA-256,
 * the exact command that trained it, the dataset it was trained and measured on (for a synthetic VOC: the
 * generator's options and format version, and for any dataset a {@link DatasetFingerprint}), and the mAP it
 * scored. Written as {@code model.json} beside the files, so a model that took hours to train is trained once and
 * every later experiment, test and demo starts from it — and refuses it when its files or its data changed.
 */
public record PinnedModel(Path folder, String name, String description, FileRef cfg, FileRef weights, FileRef names,
                          Dataset dataset, Training training, Evaluation evaluation) {
    public static final String RECORD = "model.json";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final long MAX_RECORD_BYTES = 1 << 20;

    /** A file of the model, relative to its folder. */
    public record FileRef(String file, String sha256) {
    }

    /**
     * The data: {@code synthetic} is null for a dataset EdgeSlim did not generate; {@code sha256} always set.
     */
    public record Dataset(SyntheticVoc.Options synthetic, int generatorVersion, String sha256) {
    }

    /** How the model was trained: the command line, its wall time and the machine it ran on. */
    public record Training(String command, int epochs, double wallSeconds, String machine) {
    }

    /** The model's mAP@0.5 on {@code split} of its dataset (VOC07 11-point and VOC2010+ all-point). */
    public record Evaluation(String split, int images, double map50Voc07, double map50Voc12) {
    }

    public Path cfgPath() {
        return folder.resolve(cfg.file());
    }

    public Path weightsPath() {
        return folder.resolve(weights.file());
    }

    public Path namesPath() {
        return folder.resolve(names.file());
    }

    public Path recordPath() {
        return folder.resolve(RECORD);
    }

    /** Reads {@code folder/model.json}; a missing or malformed record is a one-line error naming it. */
    public static PinnedModel read(Path folder) throws IOException {
        Path file = folder.resolve(RECORD);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file, "no pinned-model record here");
        }
        if (Files.size(file) > MAX_RECORD_BYTES) {
            throw new BadInputException(file, "record larger than " + MAX_RECORD_BYTES + " bytes");
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException(file, "unreadable record: " + JsonErrors.describe(e));
        }
        try {
            JsonNode d = required(n, "dataset", file);
            JsonNode s = d.get("synthetic");
            SyntheticVoc.Options synth = s == null || s.isNull() ? null : new SyntheticVoc.Options(
                    required(s, "trainImages", file).asInt(), required(s, "testImages", file).asInt(),
                    required(s, "size", file).asInt(), required(s, "seed", file).asLong(), 2);
            JsonNode t = required(n, "training", file);
            JsonNode e = required(n, "evaluation", file);
            return new PinnedModel(folder, text(n, "name", file), n.path("description").asText(""),
                    fileRef(n, "cfg", file), fileRef(n, "weights", file), fileRef(n, "names", file),
                    new Dataset(synth, d.path("generatorVersion").asInt(0), text(d, "sha256", file)),
                    new Training(text(t, "command", file), t.path("epochs").asInt(0), t.path("wallSeconds").asDouble(0),
                            t.path("machine").asText("")),
                    new Evaluation(text(e, "split", file), required(e, "images", file).asInt(),
                            required(e, "map50_voc07", file).asDouble(), required(e, "map50_voc12", file).asDouble()));
        } catch (IllegalArgumentException ex) {
            throw new BadInputException(file, "invalid record: " + ex.getMessage());
        }
    }

    /** Writes {@code model.json} atomically. */
    public void write() throws IOException {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("name", name);
        n.put("description", description);
        n.putObject("cfg").put("file", cfg.file()).put("sha256", cfg.sha256());
        n.putObject("weights").put("file", weights.file()).put("sha256", weights.sha256());
        n.putObject("names").put("file", names.file()).put("sha256", names.sha256());
        ObjectNode d = n.putObject("dataset");
        if (dataset.synthetic() != null) {
            SyntheticVoc.Options o = dataset.synthetic();
            d.putObject("synthetic").put("generator", "edgeslim synth-voc").put("trainImages", o.trainImages())
                    .put("testImages", o.testImages()).put("size", o.size()).put("seed", o.seed());
            d.put("generatorVersion", dataset.generatorVersion());
        } else {
            d.putNull("synthetic");
        }
        d.put("sha256", dataset.sha256());
        n.putObject("training").put("command", training.command()).put("epochs", training.epochs())
                .put("wallSeconds", training.wallSeconds()).put("machine", training.machine());
        n.putObject("evaluation").put("split", evaluation.split()).put("images", evaluation.images())
                .put("map50_voc07", evaluation.map50Voc07()).put("map50_voc12", evaluation.map50Voc12());
        AtomicFiles.writeString(recordPath(), MAPPER.writeValueAsString(n) + "\n");
    }

    /** Checks the cfg, weights and names against their recorded SHA-256. */
    public void checkFiles() throws IOException {
        for (FileRef r : new FileRef[]{cfg, weights, names}) {
            Path p = folder.resolve(r.file());
            if (!Files.isRegularFile(p)) {
                throw new BadInputException(recordPath(), "names " + r.file() + ", which is missing");
            }
            String actual = Sha256.of(p);
            if (!actual.equals(r.sha256())) {
                throw new BadInputException(p, "SHA-256 " + abbreviate(actual) + " is not the recorded "
                        + abbreviate(r.sha256()) + " (" + recordPath() + "): the file changed since it was pinned");
            }
        }
    }

    /**
     * Checks that {@code dataRoot} holds exactly the data this model was trained and measured on; for a synthetic
     * dataset, a mismatch means this version of the generator no longer produces it, and the model must be
     * trained again with its recorded command.
     */
    public void checkDataset(Path dataRoot) throws IOException {
        if (dataset.synthetic() != null && dataset.generatorVersion() != SyntheticVoc.FORMAT_VERSION) {
            throw new BadInputException(recordPath(), "was trained on synth-voc format " + dataset.generatorVersion()
                    + " but this version generates format " + SyntheticVoc.FORMAT_VERSION
                    + "; train it again with its recorded command");
        }
        String actual = DatasetFingerprint.of(dataRoot);
        if (!actual.equals(dataset.sha256())) {
            throw new BadInputException(recordPath(), "was trained on data with fingerprint "
                    + abbreviate(dataset.sha256()) + " but " + dataRoot + " has " + abbreviate(actual)
                    + (dataset.synthetic() != null ? " (the synthetic data generator changed: train the model again "
                    + "with its recorded command)" : ""));
        }
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }

    private static FileRef fileRef(JsonNode n, String field, Path file) {
        JsonNode f = required(n, field, file);
        String name = text(f, "file", file);
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new BadInputException(file, field + ".file must be a plain file name in the record's folder, got '"
                    + BadInputException.printable(name) + "'");
        }
        return new FileRef(name, text(f, "sha256", file));
    }

    private static JsonNode required(JsonNode n, String field, Path file) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) {
            throw new BadInputException(file, "missing field '" + field + "'");
        }
        return v;
    }

    private static String text(JsonNode n, String field, Path file) {
        JsonNode v = required(n, field, file);
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new BadInputException(file, "field '" + field + "' must be a non-empty string");
        }
        return v.asText();
    }
}
