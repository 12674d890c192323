package dev.edgeslim.detector.model;

import dev.edgeslim.detector.postprocess.YoloHead;

import java.util.ArrayList;
import java.util.List;

/** The post-processing description ({@link YoloHead}) of each [yolo] layer of a network, in layer order. */
public final class YoloHeads {
    private YoloHeads() {
    }

    public static List<YoloHead> of(NetworkSpec spec) {
        List<YoloHead> heads = new ArrayList<>();
        for (int index : spec.yoloLayers()) {
            heads.add(of(spec, index));
        }
        return heads;
    }

    /** The head of the [yolo] layer at {@code index}. */
    public static YoloHead of(NetworkSpec spec, int index) {
        if (!(spec.layer(index) instanceof YoloLayer yolo)) {
            throw new IllegalArgumentException("layer " + index + " is a " + spec.layer(index).section()
                    + ", not a yolo layer");
        }
        Shape grid = spec.shapeOf(index);
        int anchors = yolo.mask().size();
        float[] widths = new float[anchors];
        float[] heights = new float[anchors];
        for (int m = 0; m < anchors; m++) {
            widths[m] = (float) yolo.anchorWidth(m);
            heights[m] = (float) yolo.anchorHeight(m);
        }
        return new YoloHead(grid.height(), grid.width(), yolo.classes(), widths, heights, (float) yolo.scaleXY(),
                spec.net().width(), spec.net().height(), yolo.newCoords());
    }
}
