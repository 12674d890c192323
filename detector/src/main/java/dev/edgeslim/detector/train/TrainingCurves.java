package dev.edgeslim.detector.train;

import dev.edgeslim.detector.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Writes {@code curves.png}: loss terms per iteration (left) and evaluation metrics per epoch (right). */
public final class TrainingCurves implements TrainingListener {
    private final MetricsLog log;
    private final Path file;
    private final String title;

    public TrainingCurves(MetricsLog log, Path file, String title) {
        this.log = log;
        this.file = file;
        this.title = title;
    }

    @Override
    public void onEpochEnd(int epoch, long iteration, Map<String, Double> results) {
        write();
    }

    @Override
    public void onFinish(long iteration) {
        write();
    }

    public void write() {
        System.setProperty("java.awt.headless", "true");
        List<StepMetrics> steps = log.steps();
        if (steps.isEmpty()) {
            return;
        }
        XYChart loss = new XYChartBuilder().width(800).height(500).title(title + ": loss (moving average)")
                .xAxisTitle("iteration").yAxisTitle("loss").build();
        loss.getStyler().setYAxisLogarithmic(true);
        TreeSet<String> names = new TreeSet<>();
        steps.forEach(s -> names.addAll(s.losses().keySet()));
        // per-step losses are noisy (one batch each): plot an exponential moving average over ~20 steps
        double keep = steps.size() > 40 ? 0.95 : 0.0;
        for (String name : names) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            double smooth = Double.NaN;
            for (StepMetrics s : steps) {
                Double v = s.losses().get(name);
                if (v != null && v > 0 && Double.isFinite(v)) {
                    smooth = Double.isNaN(smooth) ? v : keep * smooth + (1 - keep) * v;
                    xs.add((double) s.iteration());
                    ys.add(smooth);
                }
            }
            if (!xs.isEmpty()) {
                XYSeries series = loss.addSeries(name, xs, ys);
                series.setMarker(SeriesMarkers.NONE);
            }
        }
        List<MetricsLog.EpochRow> epochs = log.epochs();
        XYChart eval = new XYChartBuilder().width(800).height(500).title(title + ": evaluation")
                .xAxisTitle("epoch").yAxisTitle("value").build();
        eval.getStyler().setYAxisMin(0.0);
        eval.getStyler().setYAxisMax(1.0);
        TreeSet<String> metrics = new TreeSet<>();
        epochs.forEach(e -> metrics.addAll(e.results().keySet()));
        for (String m : metrics) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (MetricsLog.EpochRow e : epochs) {
                Double v = e.results().get(m);
                if (v != null && Double.isFinite(v)) {
                    xs.add(e.epoch() + 1.0);
                    ys.add(v);
                }
            }
            if (!xs.isEmpty()) {
                eval.addSeries(m, xs, ys);
            }
        }
        try {
            byte[] left = BitmapEncoder.getBitmapBytes(loss, BitmapEncoder.BitmapFormat.PNG);
            byte[] png = eval.getSeriesMap().isEmpty() ? left : sideBySide(left,
                    BitmapEncoder.getBitmapBytes(eval, BitmapEncoder.BitmapFormat.PNG));
            AtomicFiles.writeBytes(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static byte[] sideBySide(byte[] a, byte[] b) throws IOException {
        var left = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(a));
        var right = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(b));
        var out = new java.awt.image.BufferedImage(left.getWidth() + right.getWidth(),
                Math.max(left.getHeight(), right.getHeight()), java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        var bytes = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(out, "png", bytes);
        return bytes.toByteArray();
    }
}
