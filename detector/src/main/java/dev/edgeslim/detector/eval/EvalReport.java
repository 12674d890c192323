package dev.edgeslim.detector.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeslim.detector.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Human- and machine-readable views of an {@link EvalResult}: JSON with every number, a per-class markdown table,
 * and a precision/recall chart (PNG, all classes on one chart). Files are written atomically.
 * <p>
 * JSON has no NaN: an undefined AP (a class without positives, or a mean over no class) is written as
 * {@code null}.
 */
public final class EvalReport {
    static {
        // charts are rendered off-screen; this must be set before AWT loads (also set by the surefire argLine)
        System.setProperty("java.awt.headless", "true");
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EvalReport() {
    }

    /**
     * JSON tree. Fields: {@code iouThreshold}, {@code map11Point} (VOC2007), {@code mapAllPoint} (VOC2010+),
     * {@code coco {map, ap50, ap75, apSmall, apMedium, apLarge}} (COCO-style), {@code scoredClasses}, {@code positives}, {@code detections}, {@code truePositives}, {@code falsePositives},
     * and {@code classes}: per class {@code id, name, positives, difficult, detections, truePositives,
     * falsePositives, duplicates, ignored, ap11Point, apAllPoint, precision[], recall[]}.
     */
    public static ObjectNode toJsonTree(EvalResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("iouThreshold", result.iouThreshold());
        putNumber(root, "map11Point", result.map11Point());
        putNumber(root, "mapAllPoint", result.mapAllPoint());
        if (result.coco() != null) {
            ObjectNode coco = root.putObject("coco");
            putNumber(coco, "map", result.coco().map());
            putNumber(coco, "ap50", result.coco().ap50());
            putNumber(coco, "ap75", result.coco().ap75());
            putNumber(coco, "apSmall", result.coco().apSmall());
            putNumber(coco, "apMedium", result.coco().apMedium());
            putNumber(coco, "apLarge", result.coco().apLarge());
        }
        root.put("scoredClasses", result.scoredClasses());
        root.put("positives", result.positives());
        root.put("detections", result.detections());
        root.put("truePositives", result.truePositives());
        root.put("falsePositives", result.falsePositives());
        ArrayNode classes = root.putArray("classes");
        for (ClassEvaluation c : result.classes()) {
            ObjectNode node = classes.addObject();
            node.put("id", c.classId());
            node.put("name", c.className());
            node.put("positives", c.positives());
            node.put("difficult", c.difficult());
            node.put("detections", c.detections());
            node.put("truePositives", c.truePositives());
            node.put("falsePositives", c.falsePositives());
            node.put("duplicates", c.duplicates());
            node.put("ignored", c.ignored());
            putNumber(node, "ap11Point", c.ap11Point());
            putNumber(node, "apAllPoint", c.apAllPoint());
            ArrayNode precision = node.putArray("precision");
            for (double p : c.precision()) {
                precision.add(p);
            }
            ArrayNode recall = node.putArray("recall");
            for (double r : c.recall()) {
                recall.add(r);
            }
        }
        return root;
    }

    public static String toJson(EvalResult result) {
        try {
            return JSON.writeValueAsString(toJsonTree(result)) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Per-class markdown table (AP in percent, "-" where undefined) followed by the two means. */
    public static String toTable(EvalResult result) {
        StringBuilder sb = new StringBuilder();
        sb.append("| class | GT | difficult | detections | TP | FP | AP 11-pt (VOC07) | AP all-pt (VOC10+) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ClassEvaluation c : result.classes()) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %s | %s |\n", c.className(),
                    c.positives(), c.difficult(), c.detections(), c.truePositives(), c.falsePositives(),
                    percent(c.ap11Point()), percent(c.apAllPoint())));
        }
        int difficult = result.classes().stream().mapToInt(ClassEvaluation::difficult).sum();
        sb.append(String.format(Locale.ROOT, "| **mAP@%.2f** (%d of %d classes) | %d | %d | %d | %d | %d | %s | %s |\n",
                result.iouThreshold(), result.scoredClasses(), result.classes().size(), result.positives(),
                difficult, result.detections(),
                result.truePositives(), result.falsePositives(), percent(result.map11Point()),
                percent(result.mapAllPoint())));
        return sb.toString();
    }

    /** PNG bytes of the precision/recall curves of every class that has positives and detections. */
    public static byte[] prCurvePng(EvalResult result, String title, int width, int height) throws IOException {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("Recall").yAxisTitle("Precision").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(1.0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        int series = 0;
        for (ClassEvaluation c : result.classes()) {
            if (!c.scored() || c.recall().length == 0) {
                continue;
            }
            String name = String.format(Locale.ROOT, "%s (AP %s)", c.className(), percent(c.apAllPoint()));
            chart.addSeries(name, c.recall(), c.precision()).setMarker(SeriesMarkers.NONE);
            series++;
        }
        if (series == 0) {
            // XChart cannot draw an empty chart; one invisible point keeps the axes and title
            chart.addSeries("no detections", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    public static void writeJson(Path file, EvalResult result) throws IOException {
        AtomicFiles.writeString(file, toJson(result));
    }

    public static void writeTable(Path file, EvalResult result) throws IOException {
        AtomicFiles.writeString(file, toTable(result)
                + (result.coco() == null ? "" : "\nCOCO-style: " + result.coco().summary() + "\n"));
    }

    public static void writePrCurve(Path file, EvalResult result, String title) throws IOException {
        AtomicFiles.writeBytes(file, prCurvePng(result, title, 1000, 640));
    }

    /** Writes {@code <model>-eval.json}, {@code <model>-eval.md} and {@code <model>-pr.png} into {@code dir}. */
    public static void writeAll(Path dir, String modelName, EvalResult result) throws IOException {
        writeJson(dir.resolve(modelName + "-eval.json"), result);
        writeTable(dir.resolve(modelName + "-eval.md"), result);
        writePrCurve(dir.resolve(modelName + "-pr.png"), result, modelName + " — precision/recall at IoU "
                + String.format(Locale.ROOT, "%.2f", result.iouThreshold()));
    }

    private static void putNumber(ObjectNode node, String field, double value) {
        if (Double.isNaN(value)) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static String percent(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", 100 * value);
    }
}
