package dev.edgeslim.compressor.sparsity;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.AugmentOptions;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.DetectionLoss;
import dev.edgeslim.detector.train.GradientModifier;
import dev.edgeslim.detector.train.LearningRateSchedule;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.train.TrainingRun;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparseTrainingTest {
    static final String CFG = dev.edgeslim.detector.TinyModels.yolo(64, 16, 32, 32);
    static final Set<Integer> PRUNABLE = Set.of(0, 1, 2);

    @TempDir
    static Path data;
    static VocDataset train;

    @BeforeAll
    static void dataset() throws Exception {
        SyntheticVoc.generate(data, new SyntheticVoc.Options(8, 0, 64, 5, 1), false, null);
        train = VocDataset.open(data, "trainval");
    }

    /** γ after 8 steps of training with the given modifiers, from γ spread over [0.2, 1.8]. */
    static WeightStore train(Path out, List<GradientModifier> modifiers) throws Exception {
        NetworkSpec spec = CfgParser.parse(CFG, "sparse.cfg");
        WeightStore init = WeightInitializer.forTraining(spec, 1);
        for (int layer : PRUNABLE) {
            var w = init.conv(layer).copy();
            float[] g = w.scales();
            for (int c = 0; c < g.length; c++) {
                g[c] = 0.2f + 1.6f * c / (g.length - 1);
            }
            init = init.with(layer, w);
        }
        TrainingOptions o = new TrainingOptions(4, 4, LearningRateSchedule.constant(0.01), 0.9, 0, 0.9f, 2, 3, 0, "s");
        return TrainingRun.run(new TrainingRun.Config(spec, init, train, null, AugmentOptions.evaluation(64, 64), o, 1,
                out, false, null), List.of(new DetectionLoss(LossOptions.defaults())), modifiers, List.of()).weights();
    }

    static float[] gammas(WeightStore w) {
        List<Float> all = new ArrayList<>();
        for (int layer : PRUNABLE) {
            for (float g : w.conv(layer).scales()) {
                all.add(Math.abs(g));
            }
        }
        float[] a = new float[all.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = all.get(i);
        }
        return a;
    }

    static double mean(float[] a, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += a[i];
        }
        return s / (to - from);
    }

    @Test
    void penaltyShrinksGammaAndDynamicSparesTheStrongest(@TempDir Path a, @TempDir Path b, @TempDir Path c)
            throws Exception {
        float[] plain = gammas(train(a, List.of()));
        float[] constant = gammas(train(b, List.of(new GammaL1Regularizer(PRUNABLE, SparsitySchedule.constant(0.05)))));
        float[] dynamic = gammas(train(c, List.of(new GammaL1Regularizer(PRUNABLE,
                SparsitySchedule.dynamic(0.05).withWarmup(0).withPercentile(50)))));
        double sumPlain = mean(plain, 0, plain.length);
        double sumConstant = mean(constant, 0, constant.length);
        // 8 steps of lr 0.01 with momentum 0.9 and s 0.05 move each γ by roughly 0.01 toward zero
        assertTrue(sumPlain - sumConstant > 0.005, "L1 must shrink γ: " + sumPlain + " vs " + sumConstant);
        // the strongest channels (above the median |γ|) lose about s·0.01 instead of s under dynamic
        float[] sortedInit = plain.clone();
        Arrays.sort(sortedInit);
        double median = sortedInit[sortedInit.length / 2];
        double lossConstant = 0;
        double lossDynamic = 0;
        int strong = 0;
        for (int i = 0; i < plain.length; i++) {
            if (plain[i] > median + 0.05) {
                lossConstant += plain[i] - constant[i];
                lossDynamic += plain[i] - dynamic[i];
                strong++;
            }
        }
        assertTrue(strong > 10);
        assertTrue(lossDynamic < 0.3 * lossConstant, "dynamic spares strong channels: " + lossDynamic + " vs "
                + lossConstant);
    }

    @Test
    void schedulesHaveTheDocumentedShape() {
        SparsitySchedule d = SparsitySchedule.dynamic(0.01);
        assertTrue(!d.relaxing(49, 100) && d.relaxing(50, 100));
        assertEquals(0.01, d.strengthAt(80, 100), 1e-12);
        SparsitySchedule l = SparsitySchedule.linear(0.01);
        assertEquals(0.001, l.strengthAt(0, 101), 1e-12);
        assertEquals(0.01, l.strengthAt(100, 101), 1e-12);
        assertTrue(!SparsitySchedule.constant(0.01).relaxing(99, 100));
    }

    @Test
    void gammaReportWritesStatsAndHistograms(@TempDir Path out) throws Exception {
        NetworkSpec spec = CfgParser.parse(CFG, "sparse.cfg");
        WeightStore w = WeightInitializer.forTesting(spec, 2);
        var groups = dev.edgeslim.compressor.prune.AutoGroups.groups(spec,
                dev.edgeslim.compressor.prune.GroupOptions.ratio(0));
        GammaReport report = new GammaReport(() -> w, w, groups, PRUNABLE, out);
        report.onStart(0, 10);
        java.util.Map<String, Double> results = new java.util.TreeMap<>();
        report.onEpochEnd(0, 5, results);
        assertTrue(results.containsKey("gamma_lt_0.01"));
        assertTrue(Files.size(out.resolve("gamma-stats.json")) > 50);
        try (var s = Files.list(out.resolve("gamma"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().equals("all.png")));
        }
        report.onEpochEnd(1, 10, new java.util.TreeMap<>());
        String twoEpochs = Files.readString(out.resolve(GammaReport.FILE));

        // killed after epoch 2's row, resumed from epoch 1's checkpoint: epoch 1's row is kept, epoch 2's redone
        GammaReport resumed = new GammaReport(() -> w, w, groups, PRUNABLE, out);
        resumed.onStart(5, 10);
        resumed.onEpochEnd(1, 10, new java.util.TreeMap<>());
        assertEquals(twoEpochs, Files.readString(out.resolve(GammaReport.FILE)));
    }
}
