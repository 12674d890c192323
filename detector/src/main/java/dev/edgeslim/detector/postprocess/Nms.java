package dev.edgeslim.detector.postprocess;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy non-maximum suppression: walk the detections from the highest score down and keep one unless it
 * overlaps an already kept box by IoU strictly greater than the threshold (darknet's {@code do_nms_sort} rule:
 * IoU equal to the threshold survives). Equal scores keep their input order (stable sort), so the result is
 * deterministic. Detections with a NaN score are dropped.
 */
public final class Nms {
    /** Highest score first; {@link Collections#sort} is stable, so ties keep their input order. */
    private static final Comparator<Detection> BY_SCORE_DESCENDING = new Comparator<Detection>() {
        @Override
        public int compare(Detection a, Detection b) {
            return Float.compare(b.score(), a.score());
        }
    };

    private Nms() {
    }

    /** Class-wise NMS without a cap: boxes of different classes never suppress each other. */
    public static List<Detection> perClass(List<Detection> detections, float iouThreshold) {
        return perClass(detections, iouThreshold, 0);
    }

    /**
     * Class-wise NMS. Returns at most {@code maxDetections} detections (all when {@code <= 0}), highest score
     * first.
     */
    public static List<Detection> perClass(List<Detection> detections, float iouThreshold, int maxDetections) {
        return suppress(detections, iouThreshold, maxDetections, true);
    }

    /** NMS over all classes together: any overlapping higher-scored box suppresses, whatever its class. */
    public static List<Detection> classAgnostic(List<Detection> detections, float iouThreshold, int maxDetections) {
        return suppress(detections, iouThreshold, maxDetections, false);
    }

    private static List<Detection> suppress(List<Detection> detections, float iouThreshold, int maxDetections,
                                            boolean byClass) {
        if (!(iouThreshold >= 0f && iouThreshold <= 1f)) {
            throw new IllegalArgumentException("IoU threshold must be in [0, 1], got " + iouThreshold);
        }
        List<Detection> sorted = new ArrayList<Detection>(detections.size());
        for (Detection d : detections) {
            if (!Float.isNaN(d.score())) {
                sorted.add(d);
            }
        }
        Collections.sort(sorted, BY_SCORE_DESCENDING);
        int cap = maxDetections > 0 ? maxDetections : Integer.MAX_VALUE;
        List<Detection> kept = new ArrayList<Detection>();
        // kept boxes grouped by the key that may suppress (class id, or one group for class-agnostic)
        Map<Integer, List<Detection>> keptByGroup = new HashMap<Integer, List<Detection>>();
        for (Detection candidate : sorted) {
            if (kept.size() >= cap) {
                break;
            }
            Integer group = byClass ? candidate.classId() : 0;
            List<Detection> rivals = keptByGroup.get(group);
            if (rivals == null) {
                rivals = new ArrayList<Detection>();
                keptByGroup.put(group, rivals);
            }
            boolean suppressed = false;
            for (Detection k : rivals) {
                if (k.iou(candidate) > iouThreshold) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                rivals.add(candidate);
                kept.add(candidate);
            }
        }
        return kept;
    }
}
