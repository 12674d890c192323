package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.compressor.export.lowering.ModelNotExportableException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Observes the float range of feature maps by running calibration images through the float TFLite model in
 * which those maps are extra outputs (the real runtime, so the ranges are those of the graph being quantized).
 * Range per map: min/max over all images, or, with a percentile P below 100, the P-th percentile of the values
 * at the top and the (100 − P)-th at the bottom (a second pass over a 2048-bin histogram between min and max),
 * which ignores rare outliers at the cost of clipping them.
 */
final class Calibrator {
    private static final int BINS = 2048;

    private Calibrator() {
    }

    /** {min, max} per name in {@code names}, each an output of {@code floatModel}. */
    static Map<String, double[]> ranges(ByteBuffer floatModel, Set<String> names, CalibrationSource source,
                                        int images, double percentile, int threads) {
        if (images < 1 || images > source.size()) {
            throw new IllegalArgumentException("asked for " + images + " calibration images, the source has "
                    + source.size());
        }
        if (!(percentile > 50 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be within (50, 100], got " + percentile);
        }
        try (TfliteRunner runner = TfliteRunner.load(floatModel, threads, TfliteRunner.Delegates.DEFAULT)) {
            int height = runner.input().shape()[1];
            int width = runner.input().shape()[2];
            Map<String, Integer> outputOf = new HashMap<>();
            List<TfliteRunner.TensorInfo> outputs = runner.outputs();
            for (int o = 0; o < outputs.size(); o++) {
                outputOf.put(outputs.get(o).name(), o);
            }
            for (String n : names) {
                if (!outputOf.containsKey(n)) {
                    throw new IllegalStateException("the calibration model does not output '" + n + "'");
                }
            }
            Map<String, double[]> ranges = new LinkedHashMap<>();
            for (String n : names) {
                ranges.put(n, new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
            }
            for (int i = 0; i < images; i++) {
                runner.run(source.image(i, width, height));
                for (String n : names) {
                    double[] r = ranges.get(n);
                    for (float v : runner.output(outputOf.get(n))) {
                        if (v < r[0]) {
                            r[0] = v;
                        }
                        if (v > r[1]) {
                            r[1] = v;
                        }
                    }
                }
            }
            for (Map.Entry<String, double[]> r : ranges.entrySet()) {
                if (!Double.isFinite(r.getValue()[0]) || !Double.isFinite(r.getValue()[1])) {
                    throw new ModelNotExportableException("feature map '" + r.getKey()
                            + "' is not finite on the calibration images (NaN or overflow in the float model)");
                }
            }
            if (percentile < 100) {
                return clipToPercentile(runner, outputOf, ranges, source, images, percentile, width, height);
            }
            return ranges;
        }
    }

    private static Map<String, double[]> clipToPercentile(TfliteRunner runner, Map<String, Integer> outputOf,
                                                          Map<String, double[]> ranges, CalibrationSource source,
                                                          int images, double percentile, int width, int height) {
        Map<String, long[]> histograms = new HashMap<>();
        for (String n : ranges.keySet()) {
            histograms.put(n, new long[BINS]);
        }
        for (int i = 0; i < images; i++) {
            runner.run(source.image(i, width, height));
            for (Map.Entry<String, double[]> e : ranges.entrySet()) {
                double lo = e.getValue()[0];
                double binWidth = (e.getValue()[1] - lo) / BINS;
                long[] h = histograms.get(e.getKey());
                for (float v : runner.output(outputOf.get(e.getKey()))) {
                    int bin = binWidth > 0 ? (int) ((v - lo) / binWidth) : 0;
                    h[Math.max(0, Math.min(BINS - 1, bin))]++;
                }
            }
        }
        Map<String, double[]> clipped = new LinkedHashMap<>();
        double tail = (100 - percentile) / 100;
        for (Map.Entry<String, double[]> e : ranges.entrySet()) {
            long[] h = histograms.get(e.getKey());
            long total = 0;
            for (long c : h) {
                total += c;
            }
            double lo = e.getValue()[0];
            double binWidth = (e.getValue()[1] - lo) / BINS;
            long cut = (long) Math.floor(tail * total);
            int first = 0;
            long below = 0;
            while (first < BINS - 1 && below + h[first] <= cut) {
                below += h[first++];
            }
            int last = BINS - 1;
            long above = 0;
            while (last > first && above + h[last] <= cut) {
                above += h[last--];
            }
            clipped.put(e.getKey(), new double[] {lo + first * binWidth, lo + (last + 1) * binWidth});
        }
        return clipped;
    }
}
