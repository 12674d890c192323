package dev.edgeslim.detector.eval;

/**
 * COCO-style box AP of a detector ({@link CocoEvaluator}): {@code map} is mAP@[.5:.95], the number Scaled-YOLOv4 and
 * most later papers report; the others as COCO names them. A mean with no class to average over is NaN.
 *
 * @param perClass each class's AP@[.5:.95] (NaN for a class without ground truth)
 */
public record CocoResult(double map, double ap50, double ap75, double apSmall, double apMedium, double apLarge,
                         double[] perClass) {
    public CocoResult {
        perClass = perClass.clone();
    }

    @Override
    public double[] perClass() {
        return perClass.clone();
    }

    /** One line: "mAP@[.5:.95] 0.4123, AP50 0.6512, AP75 0.4410, AP S/M/L 0.1200/0.4011/0.5522". */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "mAP@[.5:.95] %.4f, AP50 %.4f, AP75 %.4f, AP S/M/L %.4f/%.4f/%.4f",
                map, ap50, ap75, apSmall, apMedium, apLarge);
    }
}
