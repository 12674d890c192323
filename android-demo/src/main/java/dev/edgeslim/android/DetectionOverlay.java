package dev.edgeslim.android;

import android.content.Context;
import android.graphics.Canvas;
import android.view.View;

import dev.edgeslim.detector.postprocess.Detection;

import java.util.Collections;
import java.util.List;

/**
 * Transparent view over the camera preview that draws the boxes of the last processed frame. Boxes come in the
 * coordinates of the upright frame; the preview fills this view's size, so they are scaled by view/frame size.
 */
final class DetectionOverlay extends View {
    private List<Detection> detections = Collections.emptyList();
    private int frameWidth = 1;
    private int frameHeight = 1;

    DetectionOverlay(Context context) {
        super(context);
    }

    /** UI thread. */
    void show(List<Detection> detections, int frameWidth, int frameHeight) {
        this.detections = detections;
        this.frameWidth = Math.max(1, frameWidth);
        this.frameHeight = Math.max(1, frameHeight);
        invalidate();
    }

    List<Detection> detections() {
        return detections;
    }

    @Override
    protected void onDraw(Canvas canvas) {
        super.onDraw(canvas);
        float sx = getWidth() / (float) frameWidth;
        float sy = getHeight() / (float) frameHeight;
        DetectionPainter.draw(canvas, detections, sx, sy, Math.min(getWidth(), getHeight()));
    }
}
