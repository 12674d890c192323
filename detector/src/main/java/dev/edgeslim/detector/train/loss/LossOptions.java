package dev.edgeslim.detector.train.loss;

import dev.edgeslim.detector.model.YoloLayer;

import java.util.Map;

/**
 * Weights of the YOLO loss terms.
 *
 * @param iouNormalizer      weight of the CIoU box loss (darknet's iou_normalizer; 0.07 in yolov4.cfg)
 * @param clsNormalizer      weight of the class BCE (cls_normalizer)
 * @param objNormalizer      weight of the objectness BCE (obj_normalizer)
 * @param objBalanceByStride extra objectness weight per head stride, as YOLOv5's {@code balance} (small-object
 *                           heads see many more negatives per image, so their objectness is up-weighted);
 *                           strides not listed get 1
 * @param maxLogScale        {@code tw, th} are clamped to [-maxLogScale, maxLogScale] before {@code exp} so a wild
 *                           logit cannot overflow (beyond the clamp the box loss has no gradient)
 * @param detachCiouAlpha    treat CIoU's trade-off weight alpha = v / (1 - IoU + v) as a constant in the
 *                           gradient (true: the CIoU paper's code and YOLOv5; false: differentiate it too, the
 *                           exact gradient of the loss value)
 */
public record LossOptions(double iouNormalizer, double clsNormalizer, double objNormalizer,
                          Map<Integer, Double> objBalanceByStride, double maxLogScale, boolean detachCiouAlpha) {

    /** YOLOv5's balance for strides 8, 16, 32. */
    public static final Map<Integer, Double> YOLOV5_BALANCE = Map.of(8, 4.0, 16, 1.0, 32, 0.4);

    public LossOptions {
        objBalanceByStride = Map.copyOf(objBalanceByStride);
        if (!(iouNormalizer >= 0 && clsNormalizer >= 0 && objNormalizer >= 0)) {
            throw new IllegalArgumentException("normalizers must be >= 0");
        }
        if (!(maxLogScale > 0)) {
            throw new IllegalArgumentException("maxLogScale must be > 0, got " + maxLogScale);
        }
        for (double w : objBalanceByStride.values()) {
            if (!(w >= 0)) {
                throw new IllegalArgumentException("balance weights must be >= 0, got " + w);
            }
        }
    }

    /** yolov4.cfg's normalizers (iou 0.07, cls 1, obj 1) with YOLOv5's balance. */
    public static LossOptions defaults() {
        return new LossOptions(0.07, 1.0, 1.0, YOLOV5_BALANCE, 8.0, true);
    }

    /**
     * The normalizers a [yolo] section sets (iou_normalizer, cls_normalizer, obj_normalizer, with darknet's
     * defaults 0.75, 1, 1 when absent), with YOLOv5's balance.
     */
    public static LossOptions fromLayer(YoloLayer layer) {
        return new LossOptions(extra(layer, "iou_normalizer", 0.75), extra(layer, "cls_normalizer", 1.0),
                extra(layer, "obj_normalizer", 1.0), YOLOV5_BALANCE, 8.0, true);
    }

    public LossOptions withObjBalanceByStride(Map<Integer, Double> balance) {
        return new LossOptions(iouNormalizer, clsNormalizer, objNormalizer, balance, maxLogScale, detachCiouAlpha);
    }

    public LossOptions withIouNormalizer(double value) {
        return new LossOptions(value, clsNormalizer, objNormalizer, objBalanceByStride, maxLogScale, detachCiouAlpha);
    }

    public LossOptions withDetachCiouAlpha(boolean detach) {
        return new LossOptions(iouNormalizer, clsNormalizer, objNormalizer, objBalanceByStride, maxLogScale, detach);
    }

    /** The objectness weight of a head with this stride. */
    public double objBalance(int stride) {
        return objBalanceByStride.getOrDefault(stride, 1.0);
    }

    private static double extra(YoloLayer layer, String key, double fallback) {
        String text = layer.extras().get(key);
        if (text == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("[yolo] " + key + " is not a number: '" + text + "'");
        }
    }
}
