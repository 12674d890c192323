package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.compressor.bench.MachineInfo;
import dev.edgeslim.compressor.sparsity.RatioPruningCheck;
import dev.edgeslim.compressor.sparsity.SparseRunHistory;
import dev.edgeslim.detector.io.OutputFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.train.RunFolder;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code edgeslim bench sparsity --run NAME=DIR ... --data VOCDIR [--split test] [--ratio 0.5] --out DIR}: compares
 * sparse-training runs (e.g. one per schedule, same start, epochs and seed). For each run it reads the per-epoch
 * near-zero γ fraction and mAP the run recorded, then prunes the run's final model at the same ratio per group
 * (automatic groups, union rule) and evaluates it before any fine-tuning — the comparison "at equal sparsity":
 * the same share of channels removed from every run. Writes {@code sparsity.md}, {@code sparsity.json},
 * {@code sparsity-gamma.png} (fraction of |γ| &lt; 0.01 per epoch) and {@code sparsity-map.png} (mAP per epoch).
 * <p>
 * JSON: {@code {data, split, ratio, machine{...}, runs:[{name, dir, final_map50_voc07, final_near_zero,
 * final_median_gamma, pruned{params, bflops, params_removed, bflops_removed, map50_voc07, map50_voc12},
 * epochs:[{epoch, map50_voc07, map50_voc12, near_zero, median_gamma}]}]}}; NaN/absent mAP means not evaluated.
 */
public final class SparsityBenchCommand implements Command {

    @Override
    public String name() {
        return "sparsity";
    }

    @Override
    public String summary() {
        return "compare sparse-training runs: near-zero γ and mAP per epoch, mAP after pruning at one ratio";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        CliOptions options = new CliOptions("edgeslim bench sparsity --run NAME=DIR [--run NAME=DIR ...] "
                + "--data VOCDIR --out DIR [options]")
                .repeatable("run", "NAME=DIR", "a sparse-train output folder and its label (repeat)")
                .required("data", "DIR", "VOCdevkit root for evaluating the pruned models")
                .required("out", "DIR", "output folder for sparsity.md/.json/.png")
                .value("split", "SPEC", "evaluation split (default test)")
                .value("ratio", "R", "fraction of each group's channels to prune, 0 <= R < 1 (default 0.5)")
                .value("threads", "N", "TF threads (default: all cores)")
                .flag("force", "replace files in --out that are not earlier sparsity reports");
        CliOptions.Parsed p = options.parse(args, out);
        if (p == null) {
            return OK;
        }
        List<String> runs = p.values("run");
        if (runs.isEmpty()) {
            throw new UsageException("give at least one --run NAME=DIR");
        }
        double ratio = p.number("ratio", 0.5, 0, 0.999);
        int threads = p.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 256);
        String split = p.string("split", "test");
        Path data = p.requiredPath("data");
        Path outDir = p.requiredPath("out");
        boolean force = p.has("force");
        OutputFiles.checkReplaceable(outDir.resolve("sparsity.json"), OutputFiles.JSON, force);
        OutputFiles.checkReplaceable(outDir.resolve("sparsity.md"), OutputFiles.MARKDOWN, force);
        OutputFiles.checkReplaceable(outDir.resolve("sparsity-gamma.png"), OutputFiles.PNG, force);
        OutputFiles.checkReplaceable(outDir.resolve("sparsity-map.png"), OutputFiles.PNG, force);
        Map<String, Path> named = new LinkedHashMap<>();
        for (String r : runs) {
            int eq = r.indexOf('=');
            if (eq <= 0 || eq == r.length() - 1) {
                throw new UsageException("--run takes NAME=DIR, got '" + r + "'");
            }
            if (named.put(r.substring(0, eq), Path.of(r.substring(eq + 1))) != null) {
                throw new UsageException("run name '" + r.substring(0, eq) + "' given twice");
            }
        }
        List<SparseRunHistory> histories = new ArrayList<>();
        named.forEach((name, dir) -> histories.add(SparseRunHistory.read(name, dir)));
        // the runs' recorded class names (each sparse run folder has its classes.names), else the dataset's or VOC's
        Path firstRun = named.values().iterator().next();
        Path recorded = ClassNames.recorded(firstRun.resolve(dev.edgeslim.detector.train.TrainingRun.CFG), null);
        dev.edgeslim.detector.data.VocClasses classes = recorded != null
                ? dev.edgeslim.detector.data.VocClasses.load(recorded)
                : dev.edgeslim.detector.data.Datasets.declaredClasses(data);
        VocDataset eval = ClassNames.open(data, split, VocDataset.Options.defaults()
                .withClasses(classes != null ? classes : dev.edgeslim.detector.data.VocClasses.VOC));

        ObjectNode root = Json.object();
        root.put("data", data.toString());
        root.put("split", split);
        root.put("ratio", ratio);
        root.set("machine", Json.MAPPER.valueToTree(MachineInfo.current()));
        ArrayNode rows = root.putArray("runs");
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "| run | final near-zero γ (<0.01) | median |γ| | mAP@0.5 VOC07 after "
                + "sparse training | pruned at ratio %.2f: params | BFLOPs | mAP VOC07 (no fine-tuning) | VOC12 |%n"
                + "|---|---|---|---|---|---|---|---|%n", ratio));
        for (SparseRunHistory h : histories) {
            err.printf("bench sparsity: pruning and evaluating %s%n", h.name());
            RatioPruningCheck pruned = RatioPruningCheck.of(new RunFolder(h.dir()), ratio, eval, threads);
            ObjectNode row = rows.addObject();
            row.put("name", h.name());
            row.put("dir", h.dir().toString());
            row.put("final_map50_voc07", h.finalMap07());
            row.put("final_near_zero", h.last().nearZero());
            row.put("final_median_gamma", h.last().medianGamma());
            ObjectNode pn = row.putObject("pruned");
            pn.put("params", pruned.pruned().totalParams());
            pn.put("bflops", pruned.pruned().totalFlops() / 1e9);
            pn.put("params_removed", 1 - (double) pruned.pruned().totalParams() / pruned.original().totalParams());
            pn.put("bflops_removed", 1 - (double) pruned.pruned().totalFlops() / pruned.original().totalFlops());
            pn.put("map50_voc07", pruned.result().map11Point());
            pn.put("map50_voc12", pruned.result().mapAllPoint());
            ArrayNode epochs = row.putArray("epochs");
            for (SparseRunHistory.Epoch e : h.epochs()) {
                ObjectNode en = epochs.addObject();
                en.put("epoch", e.epoch());
                if (!Double.isNaN(e.map07())) {
                    en.put("map50_voc07", e.map07());
                    en.put("map50_voc12", e.map12());
                }
                en.put("near_zero", e.nearZero());
                en.put("median_gamma", e.medianGamma());
            }
            md.append(String.format(Locale.ROOT, "| %s | %.1f%% | %.3f | %.4f | %.2f M (−%.1f%%) | %.3f (−%.1f%%) | "
                            + "%.4f | %.4f |%n", h.name(), 100 * h.last().nearZero(), h.last().medianGamma(),
                    h.finalMap07(), pruned.pruned().totalParams() / 1e6,
                    100 * pn.get("params_removed").asDouble(), pruned.pruned().totalFlops() / 1e9,
                    100 * pn.get("bflops_removed").asDouble(), pruned.result().map11Point(),
                    pruned.result().mapAllPoint()));
        }
        Files.createDirectories(outDir);
        AtomicFiles.writeString(outDir.resolve("sparsity.json"), Json.write(root));
        AtomicFiles.writeString(outDir.resolve("sparsity.md"), md.toString());
        AtomicFiles.writeBytes(outDir.resolve("sparsity-gamma.png"), chart(histories,
                "Fraction of prunable |γ| < 0.01", "near-zero fraction", SparseRunHistory.Epoch::nearZero));
        AtomicFiles.writeBytes(outDir.resolve("sparsity-map.png"), chart(histories,
                "mAP@0.5 (VOC07) during sparse training", "mAP@0.5", SparseRunHistory.Epoch::map07));
        out.print(md);
        return OK;
    }

    private static byte[] chart(List<SparseRunHistory> runs, String title, String yTitle,
                                ToDoubleFunction<SparseRunHistory.Epoch> value) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        for (SparseRunHistory h : runs) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (SparseRunHistory.Epoch e : h.epochs()) {
                double v = value.applyAsDouble(e);
                if (!Double.isNaN(v)) {
                    x.add(e.epoch() + 1.0);
                    y.add(v);
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(h.name(), x, y);
            }
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
