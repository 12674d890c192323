package dev.edgeslim.detector.train;

import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.AugmentOptions;
import dev.edgeslim.detector.data.VocDataset;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.model.builtin.WidthScaling;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scaled-YOLOv4 trains: darknet's yolov4-csp.cfg at a quarter of its width (as yolov4-w0.25 is to yolov4.cfg), 20
 * classes, 64×64, with its new_coords heads, trained on eight synthetic images. The loss falls and the network
 * finds objects (PASCAL VOC mAP on the training images above zero). Its loss gradients are checked against finite
 * differences by NewCoordsLossTest.
 */
class ScaledCspLearningTest {
    static final int EPOCHS = 40;

    @Test
    void yolov4CspAtAQuarterWidthLowersItsLossAndFindsObjects(@TempDir Path data, @TempDir Path out)
            throws Exception {
        VocDataset train = TrainerTest.eightImages(data);
        NetworkSpec spec = WidthScaling.scale(CfgParser.parse(ReferenceFiles.cfg("yolov4-csp.cfg")), 0.25, 20)
                .withInputSize(64, 64);
        assertTrue(spec.yoloLayers().stream().allMatch(y -> ((YoloLayer) spec.layer(y)).newCoords()));
        TrainingRun.Config c = new TrainingRun.Config(spec, WeightInitializer.forTraining(spec, 3), train, train,
                AugmentOptions.evaluation(64, 64), TrainerTest.options(EPOCHS), EPOCHS, out, false, null);
        TrainingRun.Result r = TrainingRun.run(c, List.of(new DetectionLoss(LossOptions.defaults())), List.of(),
                List.of());
        List<StepMetrics> steps = r.metrics().steps();
        double first = (steps.get(0).total() + steps.get(1).total()) / 2;
        double last = (steps.get(steps.size() - 2).total() + steps.get(steps.size() - 1).total()) / 2;
        double map = r.evaluation().result().map11Point();
        System.out.printf("yolov4-csp x0.25 (%,d params), %d epochs on 8 images: loss %.2f -> %.2f, mAP@0.5 %.3f%n",
                spec.totalParams(), EPOCHS, first, last, map);
        assertTrue(last < 0.5 * first, "loss should at least halve: " + first + " -> " + last);
        assertTrue(map > 0, "mAP " + map);
    }
}
