package dev.edgeslim.android;

import android.graphics.Bitmap;
import android.graphics.Canvas;
import android.graphics.Color;
import android.graphics.Paint;
import android.graphics.Rect;
import android.graphics.RectF;

import dev.edgeslim.detector.postprocess.Detection;

import java.util.List;
import java.util.Locale;

/**
 * Draws detections on a mutable copy of an image, or over the camera preview: one colour per class, a box and a
 * filled label "name 0.87" above it (inside the image when the box touches the top edge).
 */
final class DetectionPainter {
    private DetectionPainter() {
    }

    static Bitmap draw(Bitmap image, List<Detection> detections) {
        Bitmap out = image.copy(Bitmap.Config.ARGB_8888, true);
        draw(new Canvas(out), detections, 1f, 1f, Math.min(out.getWidth(), out.getHeight()));
        return out;
    }

    /**
     * Draws on any canvas (the live camera overlay), box coordinates multiplied by {@code sx}, {@code sy};
     * {@code side} sets line width and text size (the shorter side of the drawing).
     */
    static void draw(Canvas canvas, List<Detection> detections, float sx, float sy, float side) {
        Paint box = new Paint(Paint.ANTI_ALIAS_FLAG);
        box.setStyle(Paint.Style.STROKE);
        box.setStrokeWidth(Math.max(2f, side / 200f));
        Paint fill = new Paint(Paint.ANTI_ALIAS_FLAG);
        fill.setStyle(Paint.Style.FILL);
        Paint text = new Paint(Paint.ANTI_ALIAS_FLAG);
        text.setColor(Color.WHITE);
        text.setTextSize(Math.max(12f, side / 28f));
        Rect bounds = new Rect();
        for (Detection d : detections) {
            int color = colorOf(d.classId());
            box.setColor(color);
            fill.setColor(color);
            float x1 = d.x1() * sx;
            float y1 = d.y1() * sy;
            canvas.drawRect(new RectF(x1, y1, d.x2() * sx, d.y2() * sy), box);
            String label = label(d);
            text.getTextBounds(label, 0, label.length(), bounds);
            float pad = text.getTextSize() / 5f;
            float h = bounds.height() + 2 * pad;
            float top = y1 - h >= 0 ? y1 - h : y1;
            canvas.drawRect(x1, top, x1 + bounds.width() + 2 * pad, top + h, fill);
            canvas.drawText(label, x1 + pad, top + h - pad - bounds.bottom, text);
        }
    }

    static String label(Detection d) {
        return String.format(Locale.ROOT, "%s %.2f", d.label(), d.score());
    }

    /** Well separated hues: golden-ratio steps around the colour wheel. */
    static int colorOf(int classId) {
        float hue = (float) ((classId * 0.618033988749895) % 1.0) * 360f;
        return Color.HSVToColor(new float[] {hue, 0.85f, 0.95f});
    }
}
