package dev.edgeslim.detector.train;

import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.AugmentOptions;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Scaled-YOLOv4 / YOLOv7 head learns: the small network of {@link TrainerTest} with its head turned into a
 * {@code new_coords=1} head (logistic convolution, scale_x_y=2) is trained on eight synthetic images and then finds
 * them, scored by the PASCAL VOC evaluation through the shared decode (which squares instead of exponentiating).
 * The classic head, trained the same way, is the yardstick.
 */
class NewCoordsLearningTest {
    static final int EPOCHS = 60;
    @TempDir
    static Path data;
    static VocDataset train;

    @BeforeAll
    static void dataset() throws Exception {
        train = TrainerTest.eightImages(data);
    }

    static NetworkSpec newCoords() {
        return CfgParser.parse(TinyModels.withNewCoordsHead(TrainerTest.TINY), "tiny-new-coords.cfg");
    }

    private static double trainedMap(NetworkSpec spec, Path out) throws Exception {
        TrainingRun.Config c = new TrainingRun.Config(spec, WeightInitializer.forTraining(spec, 3), train,
                train, AugmentOptions.evaluation(64, 64), TrainerTest.options(EPOCHS), EPOCHS, out, false,
                null);
        TrainingRun.Result r = TrainingRun.run(c, List.of(new DetectionLoss(LossOptions.defaults())), List.of(),
                List.of());
        return r.evaluation().result().map11Point();
    }

    @Test
    void aNewCoordsHeadLearnsToFindItsTrainingImagesObjects(@TempDir Path a, @TempDir Path b) throws Exception {
        NetworkSpec spec = newCoords();
        assertTrue(((YoloLayer) spec.layer(spec.yoloLayers().get(0))).newCoords());
        double withNewCoords = trainedMap(spec, a);
        double classic = trainedMap(TrainerTest.spec(), b);
        System.out.printf("mAP@0.5 on the 8 training images after %d epochs: new_coords head %.3f, classic head %.3f%n",
                EPOCHS, withNewCoords, classic);
        assertTrue(withNewCoords > 0.5, "new_coords head mAP " + withNewCoords);
    }
}
