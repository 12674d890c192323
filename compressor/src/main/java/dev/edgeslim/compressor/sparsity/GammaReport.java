package dev.edgeslim.compressor.sparsity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgeslim.compressor.prune.PruneGroup;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.train.TrainingListener;
import dev.edgeslim.detector.weights.WeightStore;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every epoch of sparse training: per-group |γ| statistics appended to {@code gamma-stats.json}, a histogram PNG
 * per group ({@code gamma/<group>.png}, first epoch vs latest, log-count), and the overall fraction of |γ| under
 * 0.01 added to the epoch results ({@code gamma_lt_0.01}) so it shows in metrics and curves.
 */
public final class GammaReport implements TrainingListener {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String FILE = "gamma-stats.json";
    private static final int BINS = 40;
    private final Supplier<WeightStore> weights;
    private final WeightStore initial;
    private final List<PruneGroup> groups;
    private final Set<Integer> prunable;
    private final Path dir;
    private final List<JsonNode> epochs = new ArrayList<>();
    private List<GammaStatistics> first;

    /**
     * @param weights the current weights (read at each epoch end)
     * @param initial the weights the run started from (the "start" histograms, also after a resume)
     */
    public GammaReport(Supplier<WeightStore> weights, WeightStore initial, List<PruneGroup> groups,
                       Set<Integer> prunable, Path dir) {
        this.weights = weights;
        this.initial = initial;
        this.groups = List.copyOf(groups);
        this.prunable = Set.copyOf(prunable);
        this.dir = dir;
    }

    /** A resumed run keeps the rows of the epochs before its checkpoint, as an uninterrupted run would have them. */
    @Override
    public void onStart(long startIteration, long totalIterations) {
        first = GammaStatistics.of(groups, prunable, initial);
        epochs.clear();
        Path file = dir.resolve(FILE);
        if (startIteration > 0 && Files.exists(file)) {
            try {
                for (JsonNode row : JSON.readTree(file.toFile())) {
                    if (row.path("iteration").asLong(Long.MAX_VALUE) <= startIteration) {
                        epochs.add(row);
                    }
                }
            } catch (IOException e) {
                throw new BadInputException(file, "cannot read the γ statistics to resume: " + e.getMessage()
                        .lines().findFirst().orElse(""));
            }
        }
    }

    @Override
    public void onEpochEnd(int epoch, long iteration, Map<String, Double> results) {
        List<GammaStatistics> now = GammaStatistics.of(groups, prunable, weights.get());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", epoch);
        row.put("iteration", iteration);
        List<Map<String, Object>> perGroup = new ArrayList<>();
        now.forEach(s -> perGroup.add(s.summary()));
        row.put("groups", perGroup);
        epochs.add(JSON.valueToTree(row));
        GammaStatistics all = now.get(now.size() - 1);
        results.put("gamma_lt_0.01", all.fractionUnder()[1]);
        try {
            AtomicFiles.writeString(dir.resolve(FILE), JSON.writeValueAsString(epochs));
            for (int g = 0; g < now.size(); g++) {
                writeHistogram(now.get(g), first.get(g), epoch);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write γ statistics to " + dir, e);
        }
    }

    private void writeHistogram(GammaStatistics now, GammaStatistics start, int epoch) throws IOException {
        float max = 0;
        for (float v : start.values()) {
            max = Math.max(max, v);
        }
        for (float v : now.values()) {
            max = Math.max(max, v);
        }
        max = Math.max(max, 1e-6f);
        List<String> labels = new ArrayList<>();
        for (int b = 0; b < BINS; b++) {
            labels.add(String.format(java.util.Locale.ROOT, "%.3f", (b + 0.5) * max / BINS));
        }
        CategoryChart chart = new CategoryChartBuilder().width(900).height(450)
                .title("|γ| in " + now.group() + " (" + now.channels() + " channels)")
                .xAxisTitle("|γ|").yAxisTitle("channels").build();
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setXAxisTickMarkSpacingHint(60);
        chart.addSeries("start", labels, histogram(start.values(), max));
        chart.addSeries("epoch " + (epoch + 1), labels, histogram(now.values(), max));
        String safe = now.group().replaceAll("[^A-Za-z0-9_.-]", "_");
        AtomicFiles.writeBytes(dir.resolve("gamma").resolve(safe + ".png"),
                BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }

    private static List<Integer> histogram(float[] values, float max) {
        int[] counts = new int[BINS];
        for (float v : values) {
            counts[Math.min(BINS - 1, (int) (v / max * BINS))]++;
        }
        List<Integer> out = new ArrayList<>();
        for (int c : counts) {
            out.add(c);
        }
        return out;
    }
}
