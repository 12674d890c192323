package dev.edgeslim.compressor.bench;

import dev.edgeslim.detector.eval.EvalReport;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The benchmark's charts as PNG bytes: accuracy against cost (BFLOPs, latency) for every row, one series per
 * format so a model's formats line up; PR curves and kept channels come from {@link EvalReport} and
 * {@link dev.edgeslim.compressor.prune.PruneReport}.
 */
final class BenchPlots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private BenchPlots() {
    }

    /** mAP@0.5 (VOC2010+ all-point) against BFLOPs; null when no row has both. */
    static byte[] mapVsBflops(BenchResult result) throws IOException {
        return scatter(result, "mAP@0.5 vs computation", "BFLOPs at the input size",
                r -> result.model(r.model()).bflops());
    }

    /** mAP@0.5 (VOC2010+ all-point) against median latency; null when no row has both. */
    static byte[] mapVsLatency(BenchResult result) throws IOException {
        return scatter(result, "mAP@0.5 vs latency (batch 1, " + result.settings().threads() + " threads, same run)",
                "median latency (ms)", r -> r.latency() == null ? Double.NaN : r.latency().medianMs());
    }

    /** PR curves of one row. */
    static byte[] prCurves(BenchResult.RowResult row) throws IOException {
        return EvalReport.prCurvePng(row.eval(), row.id() + " — precision/recall at IoU 0.5", 1000, 640);
    }

    private static byte[] scatter(BenchResult result, String title, String xTitle,
                                  ToDoubleFunction<BenchResult.RowResult> x) throws IOException {
        Map<BenchFormat, List<double[]>> points = new LinkedHashMap<>();
        Map<BenchFormat, List<String>> labels = new LinkedHashMap<>();
        for (BenchResult.RowResult r : result.rows()) {
            double xv = x.applyAsDouble(r);
            double yv = r.eval() == null ? Double.NaN : r.eval().mapAllPoint();
            if (Double.isFinite(xv) && xv > 0 && Double.isFinite(yv)) {
                points.computeIfAbsent(r.format(), f -> new ArrayList<>()).add(new double[] {xv, yv});
                labels.computeIfAbsent(r.format(), f -> new ArrayList<>()).add(r.model());
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        XYChart chart = new XYChartBuilder().width(900).height(600).title(title).xAxisTitle(xTitle)
                .yAxisTitle("mAP@0.5 (VOC2010+ all-point)").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setYAxisMin(0.0);
        for (Map.Entry<BenchFormat, List<double[]>> e : points.entrySet()) {
            List<double[]> p = e.getValue();
            double[] xs = p.stream().mapToDouble(v -> v[0]).toArray();
            double[] ys = p.stream().mapToDouble(v -> v[1]).toArray();
            String name = e.getKey().label() + ": " + String.join(", ", labels.get(e.getKey()));
            chart.addSeries(name, xs, ys);
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
