package dev.edgeslim.compressor.sensitivity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgeslim.compressor.bench.MachineInfo;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sensitivity analysis as JSON, a markdown table and a PNG (mAP@0.5 against the pruning ratio, one curve per
 * group; below it, when the network has residual blocks, the mAP with each block removed), with the command and
 * machine that measured it.
 *
 * @param command the command line (or description) that produced the numbers
 * @param images  images of the evaluation subset
 * @param points  the baseline first, then every group at every ratio and every block
 */
public record SensitivityReport(String model, String split, int images, int threads, int latencyRuns, String command,
                                MachineInfo machine, List<SensitivityAnalysis.Point> points) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public SensitivityAnalysis.Point baseline() {
        return points.get(0);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String toMarkdown() {
        StringBuilder b = new StringBuilder("# Pruning sensitivity\n\n");
        b.append(String.format(Locale.ROOT, "`%s` on %d images of `%s`: each group pruned alone at each ratio "
                + "(lowest |γ| first, union rule, default floors), each residual block removed alone. mAP@0.5 "
                + "(VOC07 11-point; VOC2010+ all-point), Δ against the unpruned model; TF Java latency at batch 1, "
                + "%d threads, median of %d runs, and its ratio to the unpruned model's time in the same interleaved "
                + "run.%n%n", model, images, split, threads, latencyRuns));
        b.append("Measured with `").append(command).append("` on ").append(machine.cpu()).append(", ")
                .append(machine.cores()).append(" cores, TensorFlow ").append(machine.tensorflow()).append(".\n\n");
        b.append("| pruned | ratio | params | BFLOPs | mAP VOC07 | Δ VOC07 | mAP VOC12 | latency ms | × time |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        SensitivityAnalysis.Point base = baseline();
        for (SensitivityAnalysis.Point p : points) {
            String ratio = switch (p.kind()) {
                case BASELINE -> "-";
                case BLOCK -> "removed";
                case GROUP -> String.format(Locale.ROOT, "%.2f", p.ratio());
            };
            b.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.3f | %.4f | %+.4f | %.4f | %.2f | %.2f |%n",
                    p.name(), ratio, p.params(), p.bflops(), p.map50Voc07(), p.map50Voc07() - base.map50Voc07(),
                    p.map50Voc12(), p.latencyMs(), p.latencyRatio()));
        }
        return b.toString();
    }

    /** The curves (and the blocks' bars) as PNG bytes. */
    public byte[] png() throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        List<String> blocks = new ArrayList<>();
        List<Double> blockMaps = new ArrayList<>();
        for (SensitivityAnalysis.Point p : points) {
            if (p.kind() == SensitivityAnalysis.Kind.GROUP) {
                curves.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(new double[]{p.ratio(), p.map50Voc07()});
            } else if (p.kind() == SensitivityAnalysis.Kind.BLOCK) {
                blocks.add(p.name());
                blockMaps.add(p.map50Voc07());
            }
        }
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title(String.format(Locale.ROOT, "Pruning one group at a time: %s, %d images", model, images))
                .xAxisTitle("fraction of the group's prunable channels removed").yAxisTitle("mAP@0.5 (VOC07)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        double[] span = {0, 1};
        for (SensitivityAnalysis.Point p : points) {
            if (p.kind() == SensitivityAnalysis.Kind.GROUP) {
                span[1] = Math.max(span[1], p.ratio());
            }
        }
        chart.addSeries("unpruned", span, new double[]{baseline().map50Voc07(), baseline().map50Voc07()})
                .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        for (Map.Entry<String, List<double[]>> e : curves.entrySet()) {
            if (e.getValue().stream().noneMatch(v -> v[0] == 0)) {
                e.getValue().add(0, new double[]{0, baseline().map50Voc07()}); // ratio 0 is the unpruned model
            }
            chart.addSeries(e.getKey(), e.getValue().stream().mapToDouble(v -> v[0]).toArray(),
                    e.getValue().stream().mapToDouble(v -> v[1]).toArray());
        }
        BufferedImage top = BitmapEncoder.getBufferedImage(chart);
        BufferedImage image = top;
        if (!blocks.isEmpty()) {
            CategoryChart bars = new CategoryChartBuilder().width(900).height(420)
                    .title("Removing one residual block at a time (unpruned: "
                            + String.format(Locale.ROOT, "%.4f", baseline().map50Voc07()) + ")")
                    .xAxisTitle("block (its [shortcut] layer)").yAxisTitle("mAP@0.5 (VOC07)").build();
            bars.getStyler().setLegendVisible(false);
            bars.getStyler().setXAxisLabelRotation(90);
            bars.getStyler().setYAxisMin(0.0);
            bars.addSeries("mAP", blocks, blockMaps);
            BufferedImage bottom = BitmapEncoder.getBufferedImage(bars);
            image = new BufferedImage(top.getWidth(), top.getHeight() + bottom.getHeight(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.drawImage(top, 0, 0, null);
            g.drawImage(bottom, 0, top.getHeight(), null);
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
