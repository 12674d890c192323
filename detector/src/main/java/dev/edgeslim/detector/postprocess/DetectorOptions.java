package dev.edgeslim.detector.postprocess;

/**
 * Thresholds for {@link Detector}. Defaults follow darknet's {@code detector test}: confidence 0.25,
 * NMS IoU 0.45, one detection per class above threshold, class-wise NMS; plus a cap of 100 detections per image
 * (0 = no cap). Immutable; change a value with the {@code with...} methods.
 */
public final class DetectorOptions {
    private final float confThreshold;
    private final float iouThreshold;
    private final int maxDetections;
    private final boolean bestClassOnly;
    private final boolean classAgnosticNms;

    public DetectorOptions(float confThreshold, float iouThreshold, int maxDetections, boolean bestClassOnly,
                           boolean classAgnosticNms) {
        if (!(confThreshold >= 0f && confThreshold <= 1f)) {
            throw new IllegalArgumentException("confidence threshold must be in [0, 1], got " + confThreshold);
        }
        if (!(iouThreshold >= 0f && iouThreshold <= 1f)) {
            throw new IllegalArgumentException("IoU threshold must be in [0, 1], got " + iouThreshold);
        }
        this.confThreshold = confThreshold;
        this.iouThreshold = iouThreshold;
        this.maxDetections = Math.max(0, maxDetections);
        this.bestClassOnly = bestClassOnly;
        this.classAgnosticNms = classAgnosticNms;
    }

    public static DetectorOptions defaults() {
        return new DetectorOptions(0.25f, 0.45f, 100, false, false);
    }

    public float confThreshold() {
        return confThreshold;
    }

    public float iouThreshold() {
        return iouThreshold;
    }

    /** Maximum detections returned per image; 0 means no cap. */
    public int maxDetections() {
        return maxDetections;
    }

    public boolean bestClassOnly() {
        return bestClassOnly;
    }

    public boolean classAgnosticNms() {
        return classAgnosticNms;
    }

    public DetectorOptions withConfThreshold(float v) {
        return new DetectorOptions(v, iouThreshold, maxDetections, bestClassOnly, classAgnosticNms);
    }

    public DetectorOptions withIouThreshold(float v) {
        return new DetectorOptions(confThreshold, v, maxDetections, bestClassOnly, classAgnosticNms);
    }

    public DetectorOptions withMaxDetections(int v) {
        return new DetectorOptions(confThreshold, iouThreshold, v, bestClassOnly, classAgnosticNms);
    }

    public DetectorOptions withBestClassOnly(boolean v) {
        return new DetectorOptions(confThreshold, iouThreshold, maxDetections, v, classAgnosticNms);
    }

    public DetectorOptions withClassAgnosticNms(boolean v) {
        return new DetectorOptions(confThreshold, iouThreshold, maxDetections, bestClassOnly, v);
    }

    @Override
    public String toString() {
        return "DetectorOptions[conf=" + confThreshold + ", iou=" + iouThreshold + ", max=" + maxDetections
                + ", bestClassOnly=" + bestClassOnly + ", classAgnosticNms=" + classAgnosticNms + "]";
    }
}
