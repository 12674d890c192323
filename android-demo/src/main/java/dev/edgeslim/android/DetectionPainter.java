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
 * Draws detections on a mutable copy of an image: one colour per class, a box and a filled label
 * "name 0.87" above it (inside the image when the box touches the top edge).
 */
final class DetectionPainter {
    private DetectionPainter() {
    }

    static Bitmap draw(Bitmap image, List<Detection> detections) {
        Bitmap out = image.copy(Bitmap.Config.ARGB_8888, true);
        Canvas canvas = new Canvas(out);
        float side = Math.min(out.getWidth(), out.getHeight());
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
            canvas.drawRect(new RectF(d.x1(), d.y1(), d.x2(), d.y2()), box);
            String label = label(d);
            text.getTextBounds(label, 0, label.length(), bounds);
            float pad = text.getTextSize() / 5f;
            float h = bounds.height() + 2 * pad;
            float top = d.y1() - h >= 0 ? d.y1() - h : d.y1();
            canvas.drawRect(d.x1(), top, d.x1() + bounds.width() + 2 * pad, top + h, fill);
            canvas.drawText(label, d.x1() + pad, top + h - pad - bounds.bottom, text);
        }
        return out;
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
