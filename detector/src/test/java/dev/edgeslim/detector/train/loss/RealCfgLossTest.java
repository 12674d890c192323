package dev.edgeslim.detector.train.loss;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loss on upstream yolov4-tiny.cfg's heads (80 classes, 13x13 and 26x26 at 416, scale_x_y 1.05). */
class RealCfgLossTest {

    @Test
    void yolov4TinyHeadsAndNormalizersComeFromTheCfg() throws Exception {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        List<HeadDescription> heads = HeadDescription.of(spec);
        assertEquals(2, heads.size());
        assertEquals(32, heads.get(0).stride());
        assertEquals(13, heads.get(0).gridWidth());
        assertEquals(16, heads.get(1).stride());
        assertEquals(3 * 85, heads.get(1).channels());
        LossOptions options = LossOptions.fromLayer(heads.get(0).layer());
        assertEquals(0.07, options.iouNormalizer(), 1e-12);
        assertEquals(1.0, options.clsNormalizer(), 1e-12);
        assertEquals(0.4, options.objBalance(32), 1e-12);

        // a person-sized and a small box; random logits around a negative objectness, one image
        List<List<YoloTargets.Box>> images = List.of(List.of(
                new YoloTargets.Box(0.4, 0.55, 0.3, 0.7, 0), new YoloTargets.Box(0.8, 0.2, 0.05, 0.06, 2)));
        YoloTargets.Batch t = new YoloTargets(heads, YoloTargets.Options.defaults()).build(images);
        assertTrue(t.heads().get(0).responsibleCount() + t.heads().get(1).responsibleCount() >= 2);
        Random random = new Random(3);
        double[][] logits = new double[2][];
        for (int h = 0; h < 2; h++) {
            HeadDescription head = heads.get(h);
            logits[h] = new double[head.gridHeight() * head.gridWidth() * head.channels()];
            for (int i = 0; i < logits[h].length; i++) {
                logits[h][i] = (float) (random.nextGaussian() - (i % 85 == 4 ? 4 : 0));
            }
        }
        try (LossHarness<TFloat32> harness = new LossHarness<>(heads, options, TFloat32.class)) {
            double[] v = harness.losses(logits, t);
            ReferenceYoloLoss.Value ref = ReferenceYoloLoss.compute(heads, options, logits, t, images);
            assertEquals(ref.box(), v[1], 1e-5 * ref.box());
            assertEquals(ref.obj(), v[2], 1e-5 * ref.obj());
            assertEquals(ref.cls(), v[3], 1e-5 * ref.cls());
        }
    }
}
