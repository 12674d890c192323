package dev.edgeslim.detector.train;

import dev.edgeslim.detector.data.Batch;
import dev.edgeslim.detector.data.TargetBox;
import dev.edgeslim.detector.train.loss.HeadDescription;
import dev.edgeslim.detector.train.loss.LossOptions;
import dev.edgeslim.detector.train.loss.YoloLoss;
import dev.edgeslim.detector.train.loss.YoloTargets;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The YOLOv4 detection loss (CIoU box, objectness with ignore, class BCE) on the student's training tower. */
public final class DetectionLoss implements LossTerm {
    private final LossOptions options;
    private YoloTargets targets;
    private YoloLoss.Components<TFloat32> components;

    public DetectionLoss(LossOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "detection";
    }

    @Override
    public Operand<TFloat32> build(TrainingContext context) {
        List<HeadDescription> heads = HeadDescription.of(context.spec());
        targets = new YoloTargets(heads, YoloTargets.Options.defaults());
        components = YoloLoss.build(context.tf(), context.trainingTower().heads(), heads, options);
        return components.total();
    }

    @Override
    public Map<String, Operand<TFloat32>> logged() {
        Map<String, Operand<TFloat32>> parts = new LinkedHashMap<>();
        parts.put("box", components.box());
        parts.put("obj", components.obj());
        parts.put("cls", components.cls());
        return parts;
    }

    @Override
    public void feed(StepFeeds feeds, Batch batch) {
        feeds.own(components.feed(feeds.runner(), targets.build(boxes(batch))));
    }

    /** The batch's labels in the loss's box type (normalised centre/size, class). */
    static List<List<YoloTargets.Box>> boxes(Batch batch) {
        List<List<YoloTargets.Box>> out = new ArrayList<>(batch.size());
        for (List<TargetBox> image : batch.boxes()) {
            List<YoloTargets.Box> converted = new ArrayList<>(image.size());
            for (TargetBox b : image) {
                converted.add(new YoloTargets.Box(b.cx(), b.cy(), b.w(), b.h(), b.classId()));
            }
            out.add(converted);
        }
        return out;
    }
}
