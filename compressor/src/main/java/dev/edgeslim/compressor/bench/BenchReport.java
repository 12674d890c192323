package dev.edgeslim.compressor.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.compressor.prune.PruneReport;
import dev.edgeslim.detector.eval.ClassEvaluation;
import dev.edgeslim.detector.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link BenchResult} into a folder: {@value #MARKDOWN} (the comparison table with changes against the
 * baseline, per-class AP, errors, links to the plots), {@value #JSON} (every number, the settings and the
 * machine) and {@code plots/} (mAP vs BFLOPs, mAP vs latency, PR curves per row, kept channels per compressed
 * model). Every file is written atomically; the JSON fields are documented in docs/benchmarks.md.
 */
public final class BenchReport {
    public static final String MARKDOWN = "bench.md";
    public static final String JSON = "bench.json";
    public static final String PLOTS = "plots";
    /** Identifies the JSON; the version goes up when a field changes meaning or disappears. */
    public static final String FORMAT = "edgeslim-bench";
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchReport() {
    }

    /** The files of a written report, relative to its folder. */
    public record Written(String markdown, String json, List<String> plots) {
    }

    /** Writes the plots, then the JSON, then the markdown (the JSON and markdown list the plots). */
    public static Written write(Path dir, BenchResult result, List<String> command) throws IOException {
        Files.createDirectories(dir.resolve(PLOTS));
        List<String> plots = new ArrayList<>();
        plot(dir, "map-vs-bflops.png", BenchPlots.mapVsBflops(result), plots);
        plot(dir, "map-vs-latency.png", BenchPlots.mapVsLatency(result), plots);
        for (BenchResult.RowResult r : result.rows()) {
            if (r.eval() != null) {
                plot(dir, "pr-" + r.model() + "-" + r.format().cliName() + ".png", BenchPlots.prCurves(r), plots);
            }
        }
        for (BenchResult.ModelResult m : result.models()) {
            if (m.kept() != null) {
                plot(dir, "kept-channels-" + m.model().name() + ".png", m.kept().keptChannelsPng(), plots);
            }
        }
        Written written = new Written(MARKDOWN, JSON, plots);
        AtomicFiles.writeString(dir.resolve(JSON), MAPPER.writeValueAsString(toJson(result, command, written)) + "\n");
        AtomicFiles.writeString(dir.resolve(MARKDOWN), toMarkdown(result, written));
        return written;
    }

    private static void plot(Path dir, String name, byte[] png, List<String> plots) throws IOException {
        if (png != null) {
            String relative = PLOTS + "/" + name;
            AtomicFiles.writeBytes(dir.resolve(relative), png);
            plots.add(relative);
        }
    }

    // ---------------------------------------------------------------- JSON

    public static ObjectNode toJson(BenchResult r, List<String> command, Written files) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", FORMAT_VERSION);
        root.put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        ArrayNode cmd = root.putArray("command");
        command.forEach(cmd::add);
        root.put("seconds", r.seconds());

        BenchResult.DataInfo d = r.data();
        ObjectNode data = root.putObject("data");
        data.put("root", d.root().toString());
        data.put("split", d.split());
        data.put("split_note", d.splitNote());
        data.put("images", d.images());
        data.put("images_in_split", d.imagesInSplit());
        ArrayNode classes = data.putArray("classes");
        d.classes().forEach(classes::add);
        ObjectNode calibration = data.putObject("calibration");
        calibration.put("source", d.calibration());
        calibration.put("images", d.calibrationImages());
        data.put("error", d.error());

        BenchResult.Settings s = r.settings();
        ObjectNode settings = root.putObject("settings");
        if (s.size() > 0) {
            settings.put("size", s.size());
        } else {
            settings.putNull("size");
        }
        settings.put("threads", s.threads());
        settings.put("batch", 1);
        settings.put("warmup", s.warmup());
        settings.put("runs", s.runs());
        settings.put("eval_batch", s.evalBatch());
        settings.put("conf_threshold", s.confThreshold());
        settings.put("nms_threshold", s.nmsThreshold());
        settings.put("max_detections", s.maxDetections());
        settings.put("int8_percentile", s.percentile());
        settings.put("quick", s.quick());

        root.set("machine", MAPPER.valueToTree(r.machine()));
        root.put("baseline", r.baseline().model().name());

        ArrayNode models = root.putArray("models");
        for (BenchResult.ModelResult m : r.models()) {
            models.add(modelJson(m));
        }
        ArrayNode rows = root.putArray("rows");
        for (BenchResult.RowResult row : r.rows()) {
            rows.add(rowJson(r, row));
        }
        root.put("failed_rows", r.failedRows());
        ObjectNode f = root.putObject("files");
        f.put("markdown", files.markdown());
        f.put("json", files.json());
        ArrayNode plots = f.putArray("plots");
        files.plots().forEach(plots::add);
        return root;
    }

    private static ObjectNode modelJson(BenchResult.ModelResult m) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("name", m.model().name());
        n.put("origin", m.model().origin());
        n.put("cfg", m.model().cfg().toString());
        n.put("weights", m.model().weights().toString());
        ArrayNode formats = n.putArray("formats");
        m.model().formats().forEach(f -> formats.add(f.cliName()));
        ObjectNode input = n.putObject("input");
        input.put("width", m.width());
        input.put("height", m.height());
        n.put("params", m.params());
        n.put("bflops", m.bflops());
        n.put("reference", m.reference());
        if (m.kept() == null) {
            n.putNull("kept_channels");
        } else {
            ObjectNode k = n.putObject("kept_channels");
            k.put("reference", m.reference());
            k.put("filters_before", m.kept().total().filtersBefore());
            k.put("filters_after", m.kept().total().filtersAfter());
            ArrayNode layers = k.putArray("layers");
            for (PruneReport.LayerRow l : m.kept().layers()) {
                if (l.type().equals("convolutional")) {
                    ObjectNode ln = layers.addObject();
                    ln.put("layer", l.index());
                    ln.put("before", l.filtersBefore());
                    ln.put("after", l.filtersAfter());
                }
            }
        }
        n.put("error", m.error());
        return n;
    }

    private static ObjectNode rowJson(BenchResult r, BenchResult.RowResult row) {
        BenchResult.ModelResult m = r.model(row.model());
        ObjectNode n = MAPPER.createObjectNode();
        n.put("model", row.model());
        n.put("format", row.format().cliName());
        n.put("runtime", row.format().label());
        n.put("status", row.failed() ? "failed" : "ok");
        n.put("file", row.file() == null ? null : row.file().toString());
        if (row.bytes() >= 0) {
            n.put("bytes", row.bytes());
        } else {
            n.putNull("bytes");
        }
        n.put("params", m.params());
        n.put("bflops", m.bflops());
        number(n, "map50_voc07", row.eval() == null ? Double.NaN : row.eval().map11Point());
        number(n, "map50_voc12", row.eval() == null ? Double.NaN : row.eval().mapAllPoint());
        number(n, "map_coco", row.eval() == null ? Double.NaN : row.eval().mapCoco());
        n.put("images", row.images());
        n.put("eval_seconds", row.evalSeconds());
        ArrayNode classes = n.putArray("classes");
        if (row.eval() != null) {
            for (ClassEvaluation c : row.eval().classes()) {
                ObjectNode cn = classes.addObject();
                cn.put("name", c.className());
                number(cn, "ap_voc07", c.ap11Point());
                number(cn, "ap_voc12", c.apAllPoint());
                cn.put("positives", c.positives());
                cn.put("detections", c.detections());
                cn.put("tp", c.truePositives());
                cn.put("fp", c.falsePositives());
            }
        }
        if (row.latency() == null) {
            n.putNull("latency");
        } else {
            ObjectNode l = n.putObject("latency");
            l.put("median_ms", row.latency().medianMs());
            l.put("p90_ms", row.latency().p90Ms());
            l.put("mean_ms", row.latency().meanMs());
            l.put("min_ms", row.latency().minMs());
            ArrayNode samples = l.putArray("samples_ms");
            for (double v : row.latency().samplesMs()) {
                samples.add(v);
            }
        }
        BenchResult.Comparison c = r.compare(row);
        ObjectNode vs = n.putObject("vs_baseline");
        vs.put("reference", c.reference());
        vs.put("map50_voc07_pt", c.map07Points());
        vs.put("map50_voc12_pt", c.map12Points());
        vs.put("params", c.params());
        vs.put("bflops", c.bflops());
        vs.put("bytes", c.bytes());
        vs.put("latency_ratio", c.latencyRatio());
        ArrayNode errors = n.putArray("errors");
        for (BenchResult.RowError e : row.errors()) {
            ObjectNode en = errors.addObject();
            en.put("stage", e.stage());
            en.put("message", e.message());
        }
        return n;
    }

    private static void number(ObjectNode n, String field, double v) {
        if (Double.isNaN(v)) {
            n.putNull(field);
        } else {
            n.put(field, v);
        }
    }

    // ---------------------------------------------------------------- markdown

    /** The comparison table alone (what the command prints). */
    public static String table(BenchResult r) {
        boolean anyFailed = r.failedRows() > 0;
        StringBuilder b = new StringBuilder();
        b.append("| model | format | input | mAP@0.5 VOC07 | mAP@0.5 VOC12 | mAP@[.5:.95] COCO | params | BFLOPs | size MB"
                + " | latency ms | p90 ms | × baseline |").append(anyFailed ? " status |" : "").append('\n');
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|").append(anyFailed ? "---|" : "").append('\n');
        for (BenchResult.RowResult row : r.rows()) {
            BenchResult.ModelResult m = r.model(row.model());
            BenchResult.Comparison c = r.compare(row);
            boolean self = c.reference().equals(row.id());
            b.append("| ").append(row.model()).append(" | ").append(row.format().cliName()).append(" | ")
                    .append(m.width() > 0 ? m.width() + "×" + m.height() : "—").append(" | ")
                    .append(map(row.eval() == null ? Double.NaN : row.eval().map11Point(), c.map07Points(), self))
                    .append(" | ")
                    .append(map(row.eval() == null ? Double.NaN : row.eval().mapAllPoint(), c.map12Points(), self))
                    .append(" | ")
                    .append(map(row.eval() == null ? Double.NaN : row.eval().mapCoco(), null, self))
                    .append(" | ")
                    .append(value(m.params() > 0 ? m.params() / 1e6 : Double.NaN, "%.2f M", c.params(), self))
                    .append(" | ")
                    .append(value(m.bflops() > 0 ? m.bflops() : Double.NaN, "%.3f", c.bflops(), self)).append(" | ")
                    .append(value(row.bytes() >= 0 ? row.bytes() / 1e6 : Double.NaN, "%.2f", c.bytes(), self))
                    .append(" | ")
                    .append(row.latency() == null ? "—" : fmt("%.1f", row.latency().medianMs())).append(" | ")
                    .append(row.latency() == null ? "—" : fmt("%.1f", row.latency().p90Ms())).append(" | ")
                    .append(c.latencyRatio() == null ? "—" : fmt("%.2f×", c.latencyRatio())).append(" |");
            if (anyFailed) {
                b.append(' ').append(row.failed() ? "failed (" + String.join(", ",
                        row.errors().stream().map(BenchResult.RowError::stage).distinct().toList()) + ")" : "ok")
                        .append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    public static String toMarkdown(BenchResult r, Written files) {
        StringBuilder b = new StringBuilder("# EdgeSlim benchmark\n\n");
        BenchResult.DataInfo d = r.data();
        BenchResult.Settings s = r.settings();
        MachineInfo mi = r.machine();
        if (d.error() == null) {
            b.append(fmt("PASCAL VOC `%s`, split `%s`: %s, %d classes, mAP@0.5 with the thresholds of `edgeslim eval`"
                            + " (confidence ≥ %s, NMS IoU %s, ≤ %d detections per image).%s%n%n", d.root(), d.split(),
                    d.images() == d.imagesInSplit() ? d.images() + " images"
                            : d.images() + " of " + d.imagesInSplit() + " images (evenly spaced)",
                    d.classes().size(), trim(s.confThreshold()), trim(s.nmsThreshold()), s.maxDetections(),
                    d.splitNote() == null ? "" : " " + capitalise(d.splitNote()) + "."));
        } else {
            b.append("No mAP: ").append(d.error()).append("\n\n");
        }
        b.append(fmt("Latency: batch 1, %d thread%s, %d warm-up then %d timed runs per row, all rows interleaved in"
                        + " one run; median and p90 (nearest rank).%s%n%n", s.threads(), s.threads() == 1 ? "" : "s",
                s.warmup(), s.runs(),
                s.quick() ? " **Quick mode**: a first look, not a measurement to publish." : ""));
        b.append(fmt("Machine: %s, %d cores, %s; %s, TensorFlow %s, OpenCV %s, TFLite %s, ONNX Runtime %s.%n%n",
                mi.cpu(), mi.cores(), mi.os(), mi.java(), mi.tensorflow(), mi.opencv(), mi.tflite(), mi.onnxruntime()));
        b.append(table(r)).append('\n');
        BenchResult.RowResult first = r.rows().get(0);
        b.append(fmt("Changes in parentheses and × baseline (ratio of median latencies in this run) are against the"
                + " baseline model `%s` in the same format; the baseline's own rows are against `%s`. Size is the"
                + " file the format runs: darknet `.weights` for tf and opencv, the exported `.tflite` or `.onnx` otherwise.%s%n",
                r.baseline().model().name(), first.id(), d.calibration() == null ? ""
                        : fmt(" int8 is calibrated on %d images of %s.", d.calibrationImages(), d.calibration())));

        List<BenchResult.RowResult> failed = r.rows().stream().filter(BenchResult.RowResult::failed).toList();
        if (!failed.isEmpty()) {
            b.append("\n## Errors\n\n");
            for (BenchResult.RowResult row : failed) {
                for (BenchResult.RowError e : row.errors()) {
                    b.append("- `").append(row.id()).append("` (").append(e.stage()).append("): ").append(e.message())
                            .append('\n');
                }
            }
        }

        List<BenchResult.RowResult> scored = r.rows().stream().filter(x -> x.eval() != null).toList();
        if (!scored.isEmpty()) {
            b.append("\n## Per-class AP@0.5 (VOC2010+ all-point, %)\n\n| class |");
            scored.forEach(x -> b.append(' ').append(x.id()).append(" |"));
            b.append("\n|---|");
            scored.forEach(x -> b.append("---:|"));
            b.append('\n');
            int classes = scored.get(0).eval().classes().size();
            for (int c = 0; c < classes; c++) {
                b.append("| ").append(scored.get(0).eval().classes().get(c).className()).append(" |");
                for (BenchResult.RowResult x : scored) {
                    double ap = c < x.eval().classes().size() ? x.eval().classes().get(c).apAllPoint() : Double.NaN;
                    b.append(' ').append(Double.isNaN(ap) ? "-" : fmt("%.1f", 100 * ap)).append(" |");
                }
                b.append('\n');
            }
        }

        List<BenchResult.ModelResult> compressed = r.models().stream().filter(m -> m.kept() != null).toList();
        if (!compressed.isEmpty()) {
            b.append("\n## Compressed models\n\n| model | compressed from | conv filters kept | params | BFLOPs |\n")
                    .append("|---|---|---|---|---|\n");
            for (BenchResult.ModelResult m : compressed) {
                PruneReport.Totals t = m.kept().total();
                b.append(fmt("| %s | %s | %d of %d (%.1f%%) | %.2f M → %.2f M | %.3f → %.3f |%n", m.model().name(),
                        m.reference(), t.filtersAfter(), t.filtersBefore(), 100.0 * t.filtersAfter() / t.filtersBefore(),
                        t.paramsBefore() / 1e6, t.paramsAfter() / 1e6, t.bflopsBefore(), t.bflopsAfter()));
            }
        }
        if (!files.plots().isEmpty()) {
            b.append("\n## Plots\n\n");
            for (String p : files.plots()) {
                b.append("![").append(p.substring(p.indexOf('/') + 1, p.length() - 4)).append("](").append(p)
                        .append(")\n");
            }
        }
        return b.toString();
    }

    private static String map(double v, Double points, boolean self) {
        if (Double.isNaN(v)) {
            return "—";
        }
        return self || points == null ? fmt("%.4f", v) : fmt("%.4f (%+.2f pt)", v, points);
    }

    private static String value(double v, String format, Double change, boolean self) {
        if (Double.isNaN(v)) {
            return "—";
        }
        String s = fmt(format, v);
        return self || change == null ? s : s + fmt(" (%+.1f%%)", 100 * change);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static String trim(double v) {
        return fmt("%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
