package dev.edgeslim.detector.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.JsonErrors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Training metrics as JSON lines ({@code metrics.jsonl}): one {@code {"type":"step",...}} line every
 * {@code every} iterations and one {@code {"type":"epoch",...}} line per epoch with evaluation results.
 * The file is rewritten atomically (at epoch ends and on demand), so after a crash it holds only complete
 * lines, and on resume lines past the checkpoint's iteration are dropped.
 */
public final class MetricsLog implements TrainingListener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final int every;
    private final List<String> lines = new ArrayList<>();
    private final List<StepMetrics> steps = new ArrayList<>();
    private final List<EpochRow> epochs = new ArrayList<>();

    /** One epoch's results, kept for plots. */
    public record EpochRow(int epoch, long iteration, Map<String, Double> results) {
    }

    public MetricsLog(Path file, int every) {
        this.file = file;
        this.every = Math.max(1, every);
    }

    /**
     * Reloads the lines written before {@code iteration} (resume), dropping any beyond it. A line that is not a JSON
     * object is a {@link dev.edgeslim.detector.io.BadInputException} naming the file and line.
     */
    public void resumeFrom(long iteration) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> all;
        try {
            all = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BadInputException(file, "not UTF-8 text");
        }
        int lineNumber = 0;
        for (String line : all) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new BadInputException(file, lineNumber, JsonErrors.describe(e));
            }
            if (node == null || !node.isObject()) {
                throw new BadInputException(file, lineNumber, "not a metrics record (expected a JSON object)");
            }
            long it = node.path("iteration").asLong(Long.MAX_VALUE);
            if (it >= iteration && node.path("type").asText().equals("step")) {
                continue;
            }
            if (it > iteration) {
                continue;
            }
            lines.add(line);
            if (node.path("type").asText().equals("step")) {
                Map<String, Double> losses = new java.util.TreeMap<>();
                node.path("losses").fields().forEachRemaining(e -> losses.put(e.getKey(), e.getValue().asDouble()));
                steps.add(new StepMetrics(it, node.path("epoch").asInt(), node.path("lr").asDouble(), losses,
                        node.path("images_per_s").asDouble()));
            } else {
                Map<String, Double> results = new java.util.TreeMap<>();
                node.path("results").fields().forEachRemaining(e -> results.put(e.getKey(), e.getValue().asDouble()));
                epochs.add(new EpochRow(node.path("epoch").asInt(), it, results));
            }
        }
    }

    @Override
    public void onStep(StepMetrics step) {
        if (step.iteration() % every != 0) {
            return;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "step");
        n.put("iteration", step.iteration());
        n.put("epoch", step.epoch());
        n.put("lr", step.learningRate());
        n.put("images_per_s", step.imagesPerSecond());
        ObjectNode losses = n.putObject("losses");
        step.losses().forEach(losses::put);
        lines.add(n.toString());
        steps.add(step);
    }

    @Override
    public void onEpochEnd(int epoch, long iteration, Map<String, Double> results) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "epoch");
        n.put("epoch", epoch);
        n.put("iteration", iteration);
        ObjectNode r = n.putObject("results");
        results.forEach(r::put);
        lines.add(n.toString());
        epochs.add(new EpochRow(epoch, iteration, Map.copyOf(results)));
        flush();
    }

    @Override
    public void onFinish(long iteration) {
        flush();
    }

    public void flush() {
        try {
            AtomicFiles.writeString(file, String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public List<StepMetrics> steps() {
        return List.copyOf(steps);
    }

    public List<EpochRow> epochs() {
        return List.copyOf(epochs);
    }

    public Path file() {
        return file;
    }
}
