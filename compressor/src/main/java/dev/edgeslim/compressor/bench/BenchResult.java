package dev.edgeslim.compressor.bench;

import dev.edgeslim.compressor.prune.PruneReport;
import dev.edgeslim.detector.eval.EvalResult;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything one benchmark run measured: the data it was scored on, its settings, the machine, per model its size
 * figures (and kept channels when it is a compressed version of another model), and per (model, format) row the
 * file, mAP, per-class AP, latency and any errors. Rows keep the order of the command line; the first model is the
 * baseline.
 */
public record BenchResult(DataInfo data, Settings settings, MachineInfo machine, List<ModelResult> models,
                          List<RowResult> rows, double seconds) {

    public BenchResult {
        models = List.copyOf(models);
        rows = List.copyOf(rows);
    }

    /**
     * The evaluation data. {@code images} were scored out of {@code imagesInSplit} (fewer with --quick or
     * --max-images); {@code error} is why no mAP could be measured (e.g. the split is missing), else null.
     */
    public record DataInfo(Path root, String split, String splitNote, int images, int imagesInSplit,
                           List<String> classes, String calibration, int calibrationImages, String error) {
        public DataInfo {
            classes = List.copyOf(classes);
        }
    }

    /**
     * How it was measured. {@code size} is the input size forced on every model (0: each cfg's own);
     * thresholds are those of {@code edgeslim eval}.
     */
    public record Settings(int size, int threads, int warmup, int runs, int evalBatch, double confThreshold,
                           double nmsThreshold, int maxDetections, double percentile, boolean quick) {
    }

    /**
     * One model: input size, parameters and BFLOPs at that size, the model it was compressed from (or null) with
     * the per-layer comparison, and the error that stopped it from loading (null when it loaded).
     */
    public record ModelResult(BenchModel model, int width, int height, long params, double bflops, String reference,
                              PruneReport kept, String error) {
    }

    /** Why part of a row could not be measured; {@code stage} is data, load, export, eval or latency. */
    public record RowError(String stage, String message) {
    }

    /**
     * One model in one format. {@code bytes} is the size of the file the format runs ({@code file}: the .weights
     * for tf and opencv, the exported .tflite otherwise), -1 when unknown; {@code eval} and {@code latency} are
     * null when not measured ({@code errors} says why).
     */
    public record RowResult(String model, BenchFormat format, Path file, long bytes, EvalResult eval, int images,
                            double evalSeconds, LatencyStats latency, List<RowError> errors) {
        public RowResult {
            Objects.requireNonNull(format);
            errors = List.copyOf(errors);
        }

        public boolean failed() {
            return !errors.isEmpty();
        }

        public String id() {
            return model + "/" + format.cliName();
        }
    }

    /**
     * A row against its reference, each change null when either value is missing: mAP in points (100 × difference),
     * parameters, BFLOPs and size as fractions (−0.7 = 70% smaller), latency as the ratio of medians measured in
     * this same interleaved run.
     */
    public record Comparison(String reference, Double map07Points, Double map12Points, Double params, Double bflops,
                             Double bytes, Double latencyRatio) {
    }

    public ModelResult model(String name) {
        return models.stream().filter(m -> m.model().name().equals(name)).findFirst().orElseThrow();
    }

    public ModelResult baseline() {
        return models.get(0);
    }

    public long failedRows() {
        return rows.stream().filter(RowResult::failed).count();
    }

    /**
     * The row a row is compared with: the baseline model (the first) in the same format; for the baseline's own
     * rows, and for formats the baseline is not run in, the first row (the baseline in its first format).
     */
    public RowResult referenceOf(RowResult row) {
        String base = baseline().model().name();
        if (!row.model().equals(base)) {
            for (RowResult r : rows) {
                if (r.model().equals(base) && r.format() == row.format()) {
                    return r;
                }
            }
        }
        return rows.get(0);
    }

    public Comparison compare(RowResult row) {
        RowResult ref = referenceOf(row);
        ModelResult m = model(row.model());
        ModelResult rm = model(ref.model());
        Double map07 = null;
        Double map12 = null;
        if (row.eval() != null && ref.eval() != null) {
            map07 = points(row.eval().map11Point(), ref.eval().map11Point());
            map12 = points(row.eval().mapAllPoint(), ref.eval().mapAllPoint());
        }
        Double params = m.params() > 0 && rm.params() > 0 ? (double) m.params() / rm.params() - 1 : null;
        Double bflops = m.bflops() > 0 && rm.bflops() > 0 ? m.bflops() / rm.bflops() - 1 : null;
        Double bytes = row.bytes() > 0 && ref.bytes() > 0 ? (double) row.bytes() / ref.bytes() - 1 : null;
        Double latency = row.latency() != null && ref.latency() != null
                ? row.latency().medianMs() / ref.latency().medianMs() : null;
        return new Comparison(ref.id(), map07, map12, params, bflops, bytes, latency);
    }

    private static Double points(double v, double ref) {
        return Double.isNaN(v) || Double.isNaN(ref) ? null : 100 * (v - ref);
    }
}
