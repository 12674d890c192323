package dev.edgeslim.detector.train;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.AugmentOptions;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    /** A small but complete YOLO: stride-2 convs with BN + leaky, a route, a shortcut, one [yolo] head. */
    static final String TINY = """
            [net]
            width=64
            height=64
            channels=3
            [convolutional]
            batch_normalize=1
            filters=8
            size=3
            stride=2
            pad=1
            activation=leaky
            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=2
            pad=1
            activation=leaky
            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=1
            pad=1
            activation=mish
            [shortcut]
            from=-2
            activation=linear
            [convolutional]
            batch_normalize=1
            filters=32
            size=3
            stride=2
            pad=1
            activation=leaky
            [convolutional]
            filters=75
            size=1
            stride=1
            activation=linear
            [yolo]
            mask=0,1,2
            anchors=8,8, 16,16, 32,32
            classes=20
            num=3
            scale_x_y=1.05
            iou_thresh=0.213
            """;

    @TempDir
    static Path data;
    static VocDataset train;

    @BeforeAll
    static void dataset() throws Exception {
        train = eightImages(data);
    }

    /** Eight synthetic 64 px training images (and two test images) in {@code dir}: the trainval split. */
    static VocDataset eightImages(Path dir) throws Exception {
        SyntheticVoc.generate(dir, new SyntheticVoc.Options(8, 2, 64, 3, 1), false, null);
        return VocDataset.open(dir, "trainval");
    }

    static NetworkSpec spec() {
        return CfgParser.parse(TINY, "tiny.cfg");
    }

    static TrainingOptions options(int epochs) {
        return new TrainingOptions(epochs, 4, LearningRateSchedule.constant(0.01), 0.9, 5e-4, 0.9f, 2, 7, 0, "test");
    }

    static TrainingRun.Config config(Path out, int epochs, boolean resume) {
        NetworkSpec spec = spec();
        return new TrainingRun.Config(spec, WeightInitializer.forTraining(spec, 3), train, null,
                AugmentOptions.defaults(64, 64), options(epochs), 1, out, resume, null);
    }

    @Test
    void overfittingASmallSetLowersTheLoss(@TempDir Path out) throws Exception {
        NetworkSpec spec = spec();
        TrainingRun.Config c = new TrainingRun.Config(spec, WeightInitializer.forTraining(spec, 3), train, null,
                AugmentOptions.evaluation(64, 64), options(15), 1, out, false, null);
        TrainingRun.Result r = TrainingRun.run(c, List.of(new DetectionLoss(LossOptions.defaults())), List.of(), List.of());
        List<StepMetrics> steps = r.metrics().steps();
        assertEquals(30, steps.size());
        double first = (steps.get(0).total() + steps.get(1).total()) / 2;
        double last = (steps.get(28).total() + steps.get(29).total()) / 2;
        assertTrue(last < 0.5 * first, "loss should at least halve: " + first + " -> " + last);
        assertTrue(steps.get(0).losses().keySet().containsAll(List.of("box", "obj", "cls", "total")));
    }

    @Test
    void resumeContinuesExactlyWhereItStopped(@TempDir Path a, @TempDir Path b) throws Exception {
        List<LossTerm> terms = List.of(new DetectionLoss(LossOptions.defaults()));
        // uninterrupted: 3 epochs x 2 batches
        WeightStore straight = TrainingRun.run(config(a, 3, false), terms, List.of(), List.of()).weights();
        // interrupted after epoch 1 (its checkpoint), then resumed in a fresh trainer
        TrainingRun.run(config(b, 1, false), List.of(new DetectionLoss(LossOptions.defaults())), List.of(), List.of());
        WeightStore resumed = TrainingRun.run(config(b, 3, true), List.of(new DetectionLoss(LossOptions.defaults())),
                List.of(), List.of()).weights();
        WeightStore initial = WeightInitializer.forTraining(spec(), 3);
        double maxDiff = 0;
        double maxChange = 0;
        for (int layer : spec().convLayers()) {
            ConvWeights x = straight.conv(layer);
            ConvWeights y = resumed.conv(layer);
            for (int k = 0; k < x.weights().length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(x.weights()[k] - y.weights()[k]));
                maxChange = Math.max(maxChange, Math.abs(x.weights()[k] - initial.conv(layer).weights()[k]));
            }
        }
        assertTrue(maxChange > 1e-3, "training moved the weights");
        assertEquals(0.0, maxDiff, 1e-6, "resumed run differs from the uninterrupted one");
        assertNotEquals(initial, resumed);
    }

    /**
     * An epoch's checkpoint is written after its listeners (so logs are complete for any checkpoint a killed run
     * resumes from), yet a listener failing at an epoch end does not cost that epoch's training.
     */
    @Test
    void checkpointFollowsTheEpochEndListenersEvenWhenOneFails(@TempDir Path out) throws Exception {
        CheckpointStore checkpoints = new CheckpointStore(out.resolve(TrainingRun.CHECKPOINTS));
        long[] atEpochEnd = {-1};
        TrainingListener failing = new TrainingListener() {
            @Override
            public void onEpochEnd(int epoch, long iteration, Map<String, Double> results) {
                atEpochEnd[0] = checkpoints.exists() ? checkpoints.load(spec()).state().iteration() : 0;
                throw new IllegalStateException("evaluation failed");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainingRun.run(config(out, 3, false), List.of(new DetectionLoss(LossOptions.defaults())),
                        List.of(), List.of(failing)));
        assertEquals("evaluation failed", e.getMessage());
        assertEquals(0, atEpochEnd[0], "no checkpoint yet while the first epoch's listeners run");
        assertEquals(2, checkpoints.load(spec()).state().iteration(), "epoch 1 (2 batches) was kept");
        // the MetricsLog (after the failing stage listener) still flushed epoch 1: 2 steps and the epoch row
        assertEquals(3, Files.readAllLines(out.resolve(TrainingRun.METRICS)).size());
    }
}
