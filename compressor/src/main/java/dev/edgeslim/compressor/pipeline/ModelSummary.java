package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.compressor.bench.BenchFormat;
import dev.edgeslim.compressor.bench.BenchModel;
import dev.edgeslim.compressor.bench.BenchResult;
import dev.edgeslim.compressor.bench.VocBenchmark;
import dev.edgeslim.detector.io.BadInputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import dev.edgeslim.detector.data.VocClasses;

/**
 * One row of a compression report: a model's mAP@0.5 in both VOC conventions and COCO's mAP@[.5:.95], parameters, BFLOPs, weights file
 * size and TF Java CPU latency (median after warm-up, batch 1), all measured on the same machine by the benchmark
 * ({@link VocBenchmark}), so a compress report and {@code edgeslim bench} give the same numbers for a model.
 */
public record ModelSummary(String name, String cfg, String weights, double map07, double map12, double mapCoco,
                           long params,
                           double bflops, long bytes, double latencyMs, int threads) {
    /** Latency warm-up runs before the timed ones. */
    private static final int WARMUP = 3;
    private static final int EVAL_BATCH = 8;

    /** A model to measure: {@code label} is its row name in the report. */
    public record Candidate(String label, Path cfg, Path weights) {
    }

    /**
     * Measures every candidate in one benchmark run of the {@code split} of {@code data} (latency interleaved over
     * the models, {@code latencyRuns} timed runs each); a model that cannot be measured is a {@link BadInputException}
     * naming it.
     */
    public static List<ModelSummary> measure(List<Candidate> candidates, Path data, String split, int threads,
                                             int latencyRuns) throws IOException {
        return measure(candidates, data, split, null, threads, latencyRuns);
    }

    /** As above, with the dataset's class names ({@code classes}; null: the VOC names or those the data declares). */
    public static List<ModelSummary> measure(List<Candidate> candidates, Path data, String split, VocClasses classes,
                                             int threads, int latencyRuns) throws IOException {
        if (classes == null) {
            classes = dev.edgeslim.detector.data.Datasets.declaredClasses(data);
        }
        if (classes == null) {
            classes = VocClasses.VOC;
        }
        List<BenchModel> models = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            // bench names end up in file names; the report's labels need not
            models.add(new BenchModel("model" + i, c.cfg(), c.weights(), List.of(BenchFormat.TF), null, "compress"));
        }
        VocBenchmark.Options options = new VocBenchmark.Options(data, split, 0, threads, WARMUP, latencyRuns,
                EVAL_BATCH, 0, null, null, 0, 100, null, false, classes);
        BenchResult result = VocBenchmark.run(models, options, VocBenchmark.Progress.NONE);
        List<ModelSummary> rows = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            BenchResult.ModelResult model = result.models().get(i);
            BenchResult.RowResult row = result.rows().get(i);
            if (row.failed() || row.eval() == null || row.latency() == null) {
                String why = row.errors().isEmpty() ? "not measured" : row.errors().get(0).message();
                throw new BadInputException(c.weights(), "could not measure '" + c.label() + "': " + why);
            }
            rows.add(new ModelSummary(c.label(), c.cfg().toString(), c.weights().toString(), row.eval().map11Point(),
                    row.eval().mapAllPoint(), row.eval().mapCoco(), model.params(), model.bflops(), row.bytes(), row.latency().medianMs(),
                    threads));
        }
        return rows;
    }
}
