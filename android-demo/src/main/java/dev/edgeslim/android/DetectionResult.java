package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.Detection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What one detection run produced: the boxes (original-image pixels) and where the time went. Immutable.
 */
public final class DetectionResult {
    private final List<Detection> detections;
    private final long preprocessNanos;
    private final long inferenceNanos;
    private final long postprocessNanos;

    public DetectionResult(List<Detection> detections, long preprocessNanos, long inferenceNanos,
                           long postprocessNanos) {
        this.detections = Collections.unmodifiableList(new ArrayList<Detection>(detections));
        this.preprocessNanos = preprocessNanos;
        this.inferenceNanos = inferenceNanos;
        this.postprocessNanos = postprocessNanos;
    }

    public List<Detection> detections() {
        return detections;
    }

    /** Letterboxing the pixels into the input tensor. */
    public double preprocessMillis() {
        return preprocessNanos / 1e6;
    }

    /** The interpreter call alone (what benchmarks call latency). */
    public double inferenceMillis() {
        return inferenceNanos / 1e6;
    }

    /** Quantization of the input, dequantization, decoding and NMS. */
    public double postprocessMillis() {
        return postprocessNanos / 1e6;
    }

    public double totalMillis() {
        return (preprocessNanos + inferenceNanos + postprocessNanos) / 1e6;
    }

    /** e.g. "3 detections, inference 21.4 ms (total 27.9 ms)". */
    public String summary() {
        int n = detections.size();
        return String.format(Locale.ROOT, "%d detection%s, inference %.1f ms (total %.1f ms)", n, n == 1 ? "" : "s",
                inferenceMillis(), totalMillis());
    }

    @Override
    public String toString() {
        return summary() + " " + detections;
    }
}
