package dev.edgeslim.compressor.distill;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.AugmentOptions;
import dev.edgeslim.detector.data.Augmenter;
import dev.edgeslim.detector.data.BatchLoader;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.graph.ModelVariable;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.train.BatchSource;
import dev.edgeslim.detector.train.LearningRateSchedule;
import dev.edgeslim.detector.train.StepMetrics;
import dev.edgeslim.detector.train.Trainer;
import dev.edgeslim.detector.train.TrainingListener;
import dev.edgeslim.detector.train.TrainingOptions;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionDistillationTest {
    static final String CFG = TinyModels.yolo(64, 8, 16, 16);

    @TempDir
    static Path data;
    static VocDataset train;

    @BeforeAll
    static void dataset() throws Exception {
        train = trainingImages(data);
    }

    /** Eight synthetic 64 px training images in {@code dir}. */
    static VocDataset trainingImages(Path dir) throws Exception {
        SyntheticVoc.generate(dir, new SyntheticVoc.Options(8, 0, 64, 4, 1), false, null);
        return VocDataset.open(dir, "trainval");
    }

    /** Two batches of four 64 px images of {@code images}. */
    static BatchSource source(VocDataset images) {
        Augmenter augmenter = new Augmenter(AugmentOptions.evaluation(64, 64));
        return new BatchSource() {
            @Override
            public int batchesPerEpoch() {
                return 2;
            }

            @Override
            public BatchLoader open(int epoch, int batchIndex) {
                return new BatchLoader(images, augmenter, BatchLoader.Options.defaults(4, 1), epoch, batchIndex);
            }
        };
    }

    static float[][] heads(Trainer trainer, AttentionDistillation term, float[] input) {
        Session.Runner r = trainer.session().runner();
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, 64, 64, 3), DataBuffers.of(input, true, false))) {
            r.feed(trainer.input(), t);
            term.teacher().heads().forEach(r::fetch);
            try (Result res = r.run()) {
                float[][] out = new float[term.teacher().heads().size()][];
                for (int h = 0; h < out.length; h++) {
                    TFloat32 v = (TFloat32) res.get(h);
                    out[h] = new float[(int) v.size()];
                    v.asRawTensor().data().asFloats().read(out[h]);
                }
                return out;
            }
        }
    }

    @Test
    void teacherIsFrozenAndAttentionPullsTheStudentTowardIt() throws Exception {
        NetworkSpec spec = CfgParser.parse(CFG, "tiny.cfg");
        WeightStore teacherWeights = WeightInitializer.forTesting(spec, 11);
        WeightStore studentWeights = WeightInitializer.forTesting(spec, 12);
        List<LayerPair> pairs = List.of(new LayerPair(1, 1, 1000), new LayerPair(2, 2, 1000));
        AttentionDistillation term = new AttentionDistillation(spec, teacherWeights, pairs);
        TrainingOptions o = new TrainingOptions(6, 4, LearningRateSchedule.constant(0.05), 0.9, 0, 0.9f, 2, 1, 0, "d");
        List<Double> losses = new ArrayList<>();
        try (Trainer trainer = new Trainer(spec, studentWeights, List.of(term), List.of(), o)) {
            for (ModelVariable v : trainer.variables().all()) {
                assertFalse(v.variable().op().name().startsWith("teacher"), "no teacher variables: " + v);
            }
            float[] probe = new float[64 * 64 * 3];
            Arrays.fill(probe, 0.3f);
            float[][] before = heads(trainer, term, probe);
            trainer.train(source(train), null, false, List.of(new TrainingListener() {
                @Override
                public void onStep(StepMetrics step) {
                    losses.add(step.losses().get("attention"));
                }
            }));
            float[][] after = heads(trainer, term, probe);
            for (int h = 0; h < before.length; h++) {
                assertArrayEquals(before[h], after[h], 0f, "teacher outputs must be bit-identical");
            }
            assertFalse(trainer.weights().equals(studentWeights), "the student was trained");
        }
        double first = (losses.get(0) + losses.get(1)) / 2;
        double last = (losses.get(losses.size() - 1) + losses.get(losses.size() - 2)) / 2;
        assertTrue(last < 0.7 * first, "attention loss should fall: " + first + " -> " + last);
    }

    @Test
    void automaticPairsFollowStagesAndNeckOutputs() {
        NetworkSpec v4 = CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg")).withInputSize(416, 416);
        List<LayerPair> pairs = DistillationPairs.automatic(v4, 1);
        assertTrue(pairs.size() >= 6, "stages and three neck outputs: " + pairs);
        for (LayerPair p : pairs) {
            assertFalse(v4.layer(p.studentLayer()) instanceof YoloLayer);
        }
        long headInputs = v4.yoloLayers().stream()
                .filter(y -> pairs.stream().anyMatch(p -> p.studentLayer() == v4.inputsOf(v4.inputsOf(y).get(0)).get(0)))
                .count();
        assertTrue(headInputs == 3);
    }

    @Test
    void inconsistentTeacherAndBadLayersAreClearErrors() {
        NetworkSpec v4 = CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg"));
        NetworkSpec tiny = CfgParser.parse(ReferenceFiles.cfg("yolov4-tiny.cfg"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> DistillationPairs.check(tiny, v4, DistillationPairs.automatic(tiny, 1), "teacher.cfg"));
        assertTrue(e.getMessage().contains("topology"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> DistillationPairs.check(tiny, tiny, List.of(new LayerPair(999, 999, 1)), "layers"));
        assertTrue(e.getMessage().contains("999"), e.getMessage());
        assertThrows(BadInputException.class, () -> DistillationPairs.parse("12:abc", 1, "--layers"));
        assertTrue(DistillationPairs.parse("3, 5:0.5", 2, "--layers").get(1).weight() == 0.5);
    }
}
