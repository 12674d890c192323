package dev.edgeslim.compressor.sparsity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeslim.detector.io.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@code sparse-train} output folder says about its run, epoch by epoch: mAP (when that epoch was evaluated)
 * from {@code metrics.jsonl} and the |γ| distribution of the prunable layers from {@code gamma-stats.json}.
 */
public record SparseRunHistory(String name, Path dir, List<Epoch> epochs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One epoch. {@code map07}/{@code map12} are NaN when the epoch was not evaluated; {@code nearZero} is the
     * fraction of prunable |γ| under 0.01, {@code medianGamma} their median.
     */
    public record Epoch(int epoch, double map07, double map12, double nearZero, double medianGamma) {
    }

    public SparseRunHistory {
        epochs = List.copyOf(epochs);
    }

    public static SparseRunHistory read(String name, Path dir) {
        Path metrics = dir.resolve("metrics.jsonl");
        Path gamma = dir.resolve("gamma-stats.json");
        for (Path f : List.of(metrics, gamma)) {
            if (!Files.isRegularFile(f)) {
                throw new BadInputException(f, "no such file (is " + dir + " a sparse-train output folder?)");
            }
        }
        Map<Integer, double[]> maps = new TreeMap<>();
        try {
            int line = 0;
            for (String text : Files.readAllLines(metrics)) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode row = parse(metrics, line, text);
                if (!"epoch".equals(row.path("type").asText())) {
                    continue;
                }
                JsonNode results = row.path("results");
                if (results.has("map50")) {
                    maps.put(row.path("epoch").asInt(), new double[] {results.path("map50").asDouble(Double.NaN),
                            results.path("map50_all").asDouble(Double.NaN)});
                }
            }
            JsonNode stats = JSON.readTree(gamma.toFile());
            if (!stats.isArray() || stats.isEmpty()) {
                throw new BadInputException(gamma, "expected a non-empty JSON array of epochs");
            }
            List<Epoch> epochs = new ArrayList<>();
            for (JsonNode e : stats) {
                JsonNode all = overall(gamma, e.path("groups"));
                int epoch = e.path("epoch").asInt(-1);
                double[] map = maps.getOrDefault(epoch, new double[] {Double.NaN, Double.NaN});
                epochs.add(new Epoch(epoch, map[0], map[1], all.path("fraction_under").path("0.01").asDouble(Double.NaN),
                        all.path("quantiles").path("p50").asDouble(Double.NaN)));
            }
            return new SparseRunHistory(name, dir, epochs);
        } catch (IOException e) {
            throw new BadInputException(gamma, "cannot read: " + e.getMessage().split("\n")[0]);
        }
    }

    private static JsonNode parse(Path file, int line, String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new BadInputException(file, line, "not a JSON line");
        }
    }

    private static JsonNode overall(Path file, JsonNode groups) {
        if (groups.isArray()) {
            for (JsonNode g : groups) {
                if ("all".equals(g.path("group").asText())) {
                    return g;
                }
            }
        }
        throw new BadInputException(file, "an epoch has no statistics for group 'all'");
    }

    public Epoch last() {
        return epochs.get(epochs.size() - 1);
    }

    /** The last evaluated epoch's VOC07 mAP, or NaN. */
    public double finalMap07() {
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (!Double.isNaN(epochs.get(i).map07())) {
                return epochs.get(i).map07();
            }
        }
        return Double.NaN;
    }
}
