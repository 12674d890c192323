package dev.edgeslim.compressor.pipeline;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.io.JsonErrors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The before/after table of a compression run, as markdown (with relative changes) and JSON. */
public final class CompressionReport {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build(); // a model without an eval split has NaN mAP

    private CompressionReport() {
    }

    /** Markdown table; the first row is the baseline that changes are relative to. */
    public static String table(List<ModelSummary> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| model | mAP@0.5 VOC07 | mAP@0.5 VOC12 | mAP@[.5:.95] COCO | params | BFLOPs | weights MB | TF Java ms |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        ModelSummary base = rows.get(0);
        for (ModelSummary r : rows) {
            boolean isBase = r == base;
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", r.name(),
                    map(r.map07(), base.map07(), isBase), map(r.map12(), base.map12(), isBase),
                    map(r.mapCoco(), base.mapCoco(), isBase),
                    change(r.params() / 1e6, base.params() / 1e6, "%.2f M", isBase),
                    change(r.bflops(), base.bflops(), "%.3f", isBase),
                    change(r.bytes() / 1e6, base.bytes() / 1e6, "%.2f", isBase),
                    change(r.latencyMs(), base.latencyMs(), "%.1f", isBase)));
        }
        return b.toString();
    }

    private static String map(double v, double base, boolean isBase) {
        if (Double.isNaN(v)) {
            return "—";
        }
        return isBase ? String.format(Locale.ROOT, "%.4f", v)
                : String.format(Locale.ROOT, "%.4f (%+.2f pt)", v, 100 * (v - base));
    }

    private static String change(double v, double base, String format, boolean isBase) {
        String value = String.format(Locale.ROOT, format, v);
        return isBase ? value : value + String.format(Locale.ROOT, " (%+.1f%%)", 100 * (v / base - 1));
    }

    /** A file of an earlier stage the report links to: what it shows, and its path relative to the run folder. */
    public record Link(String label, String path) {
    }

    /** report.md and report.json: the table, and a "Stage files" section linking {@code links} (plots, stage reports). */
    public static void write(Path dir, String title, List<ModelSummary> rows, List<Link> links,
                             Map<String, Object> extra) throws IOException {
        StringBuilder md = new StringBuilder("# " + title + "\n\n" + table(rows) + "\nLatency: TF Java, batch 1, "
                + rows.get(0).threads() + " threads, median after warm-up, measured in the same run.\n");
        if (!links.isEmpty()) {
            md.append("\n## Stage files\n\n");
            for (Link l : links) {
                md.append("- ").append(l.label()).append(": [").append(l.path()).append("](").append(l.path())
                        .append(")\n");
            }
        }
        AtomicFiles.writeString(dir.resolve("report.md"), md.toString());
        Map<String, Object> json = new java.util.LinkedHashMap<>(extra);
        json.put("models", rows);
        if (!links.isEmpty()) {
            json.put("files", links);
        }
        AtomicFiles.writeString(dir.resolve("report.json"), JSON.writeValueAsString(json));
    }

    /** The rows of the {@code report.json} in {@code dir}, as {@link #write} wrote them. */
    public static List<ModelSummary> read(Path dir) throws IOException {
        Path file = dir.resolve("report.json");
        try {
            JsonNode models = JSON.readTree(file.toFile()).path("models");
            List<ModelSummary> rows = new ArrayList<>();
            for (JsonNode m : models) {
                rows.add(JSON.treeToValue(m, ModelSummary.class));
            }
            if (rows.isEmpty()) {
                throw new BadInputException(file, "records no model");
            }
            return rows;
        } catch (IOException e) {
            throw new BadInputException(file, "not a readable report: " + JsonErrors.describe(e));
        }
    }
}
