package dev.edgeslim.compressor.sparsity;

import dev.edgeslim.compressor.prune.PruneGroup;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * |γ| statistics of prunable convolutions, per pruning group and overall: how many channels are near zero (under
 * each of {@link #THRESHOLDS}) and the distribution's quantiles. Sparse training reports these every epoch.
 */
public record GammaStatistics(String group, int channels, double[] fractionUnder, double[] quantiles, float[] values) {
    public static final double[] THRESHOLDS = {0.001, 0.01, 0.05, 0.1};
    public static final double[] QUANTILES = {0.1, 0.25, 0.5, 0.75, 0.9};

    /** Statistics per group (in group order) followed by "all". */
    public static List<GammaStatistics> of(List<PruneGroup> groups, java.util.Set<Integer> prunable, WeightStore w) {
        List<GammaStatistics> out = new ArrayList<>();
        List<Float> all = new ArrayList<>();
        for (PruneGroup g : groups) {
            List<Float> values = new ArrayList<>();
            for (int layer : g.layers()) {
                if (prunable.contains(layer) && w.convs().containsKey(layer) && w.conv(layer).batchNormalized()) {
                    for (float s : w.conv(layer).scales()) {
                        values.add(Math.abs(s));
                    }
                }
            }
            if (!values.isEmpty()) {
                out.add(compute(g.name(), values));
                all.addAll(values);
            }
        }
        out.add(compute("all", all));
        return out;
    }

    private static GammaStatistics compute(String name, List<Float> list) {
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = list.get(i);
        }
        Arrays.sort(v);
        double[] under = new double[THRESHOLDS.length];
        for (int t = 0; t < THRESHOLDS.length; t++) {
            int count = 0;
            for (float x : v) {
                if (x < THRESHOLDS[t]) {
                    count++;
                }
            }
            under[t] = v.length == 0 ? Double.NaN : (double) count / v.length;
        }
        double[] q = new double[QUANTILES.length];
        for (int k = 0; k < QUANTILES.length; k++) {
            q[k] = v.length == 0 ? Double.NaN : v[(int) Math.min(v.length - 1, Math.floor(QUANTILES[k] * v.length))];
        }
        return new GammaStatistics(name, v.length, under, q, v);
    }

    /** The JSON-friendly view (without the raw values). */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", group);
        m.put("channels", channels);
        Map<String, Double> under = new LinkedHashMap<>();
        for (int t = 0; t < THRESHOLDS.length; t++) {
            under.put(String.valueOf(THRESHOLDS[t]), fractionUnder[t]);
        }
        m.put("fraction_under", under);
        Map<String, Double> q = new LinkedHashMap<>();
        for (int k = 0; k < QUANTILES.length; k++) {
            q.put("p" + Math.round(QUANTILES[k] * 100), quantiles[k]);
        }
        m.put("quantiles", q);
        return m;
    }
}
