package dev.edgeslim.detector.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders one {@link SyntheticVoc} image in plain Java: a textured, noisy background and 1-6 objects drawn in
 * order (later ones occlude earlier ones), then labels them the way VOC annotators do: the box is the bounding box
 * of the object's <em>visible</em> pixels; an object cut by the image border is truncated; one mostly hidden
 * (&gt; 60 %) or tiny is difficult; one almost entirely hidden (&gt; 85 %) or of a few pixels is not labelled.
 * Everything is a function of the seed.
 */
final class SyntheticScene {
    static final double MIN_SCALE = 0.08;
    static final double MAX_SCALE = 0.6;
    static final int MAX_OBJECTS = 6;
    static final double DIFFICULT_HIDDEN = 0.6;
    static final double DROP_HIDDEN = 0.85;

    /** Pixels as interleaved 8-bit BGR rows (OpenCV's layout) and the labels, in drawing order. */
    record Scene(int width, int height, byte[] bgr, List<VocObject> objects) {
    }

    private SyntheticScene() {
    }

    static Scene render(long seed, int baseSize, VocClasses classes) {
        SplittableRandom rng = new SplittableRandom(seed);
        int width = Math.max(16, (int) Math.round(baseSize * (0.75 + 0.5 * rng.nextDouble())));
        int height = Math.max(16, (int) Math.round(baseSize * (0.75 + 0.5 * rng.nextDouble())));
        int[] rgb = new int[width * height];
        background(rgb, width, height, rng);

        int[] owner = new int[width * height];
        java.util.Arrays.fill(owner, -1);
        int count = 1 + rng.nextInt(MAX_OBJECTS);
        int[] classIds = new int[count];
        int[] drawn = new int[count];
        boolean[] cut = new boolean[count];
        int side = Math.min(width, height);
        for (int k = 0; k < count; k++) {
            int cls = rng.nextInt(SyntheticAppearance.STYLES.length);
            SyntheticAppearance.Style style = SyntheticAppearance.STYLES[cls];
            double scale = rng.nextDouble() < 0.06
                    ? 0.025 + 0.03 * rng.nextDouble() // occasional tiny object: usually difficult
                    : Math.exp(Math.log(MIN_SCALE) + rng.nextDouble() * Math.log(MAX_SCALE / MIN_SCALE));
            double aspect = style.aspect() * Math.exp((rng.nextDouble() * 2 - 1) * Math.log(1.33));
            double ow = Math.min(width * 1.1, scale * side * Math.sqrt(aspect));
            double oh = Math.min(height * 1.1, scale * side / Math.sqrt(aspect));
            boolean mayCut = rng.nextDouble() < 0.2;
            double cx = position(width, ow, mayCut, rng);
            double cy = position(height, oh, mayCut, rng);
            SyntheticAppearance.Instance look = new SyntheticAppearance.Instance(style, ow, oh, rng);
            classIds[k] = cls;
            cut[k] = cx - ow / 2 < 0 || cy - oh / 2 < 0 || cx + ow / 2 > width || cy + oh / 2 > height;
            drawn[k] = draw(rgb, owner, width, height, k, look, cx, cy, ow, oh);
        }

        // Visible pixels and their bounding box per object.
        int[] visible = new int[count];
        int[] x0 = new int[count];
        int[] y0 = new int[count];
        int[] x1 = new int[count];
        int[] y1 = new int[count];
        java.util.Arrays.fill(x0, Integer.MAX_VALUE);
        java.util.Arrays.fill(y0, Integer.MAX_VALUE);
        java.util.Arrays.fill(x1, -1);
        java.util.Arrays.fill(y1, -1);
        for (int y = 0, i = 0; y < height; y++) {
            for (int x = 0; x < width; x++, i++) {
                int k = owner[i];
                if (k >= 0) {
                    visible[k]++;
                    if (x < x0[k]) {
                        x0[k] = x;
                    }
                    if (x > x1[k]) {
                        x1[k] = x;
                    }
                    if (y < y0[k]) {
                        y0[k] = y;
                    }
                    y1[k] = y;
                }
            }
        }
        double minSide = Math.max(4, 0.03 * side);
        List<VocObject> objects = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            if (drawn[k] == 0 || visible[k] < 24) {
                continue;
            }
            double hidden = 1 - visible[k] / (double) drawn[k];
            int bw = x1[k] - x0[k] + 1;
            int bh = y1[k] - y0[k] + 1;
            if (hidden > DROP_HIDDEN || bw < 3 || bh < 3) {
                continue;
            }
            boolean truncated = cut[k] && (x0[k] == 0 || y0[k] == 0 || x1[k] == width - 1 || y1[k] == height - 1);
            boolean difficult = hidden > DIFFICULT_HIDDEN || Math.min(bw, bh) < minSide;
            // VOC coordinates: 1-based, inclusive.
            objects.add(new VocObject(classIds[k], classes.name(classIds[k]), x0[k] + 1, y0[k] + 1, x1[k] + 1,
                    y1[k] + 1, difficult, truncated));
        }
        byte[] bgr = finish(rgb, width, height, rng);
        return new Scene(width, height, bgr, objects);
    }

    private static double position(int extent, double size, boolean mayCut, SplittableRandom rng) {
        double lo;
        double hi;
        if (mayCut) {
            lo = 0.15 * size;
            hi = extent - 0.15 * size;
        } else {
            lo = size / 2;
            hi = extent - size / 2;
        }
        if (hi <= lo) {
            return extent / 2.0;
        }
        return lo + rng.nextDouble() * (hi - lo);
    }

    /** Draws one object over the image; returns how many of its pixels fall inside the image. */
    private static int draw(int[] rgb, int[] owner, int width, int height, int k, SyntheticAppearance.Instance look,
                            double cx, double cy, double ow, double oh) {
        int xs = Math.max(0, (int) Math.floor(cx - ow / 2));
        int xe = Math.min(width - 1, (int) Math.ceil(cx + ow / 2));
        int ys = Math.max(0, (int) Math.floor(cy - oh / 2));
        int ye = Math.min(height - 1, (int) Math.ceil(cy + oh / 2));
        double hu = 2 / ow;
        double hv = 2 / oh;
        int n = 0;
        for (int y = ys; y <= ye; y++) {
            double py = y + 0.5 - cy;
            double v = py * hv;
            int row = y * width;
            for (int x = xs; x <= xe; x++) {
                double px = x + 0.5 - cx;
                double u = px * hu;
                if (u < -1 || u > 1 || v < -1 || v > 1 || !look.inside(u, v)) {
                    continue;
                }
                rgb[row + x] = look.colorAt(u, v, px, py);
                owner[row + x] = k;
                n++;
            }
        }
        return n;
    }

    /** Low-frequency colour field (bilinear over a coarse grid of muted colours) plus faint random streaks. */
    private static void background(int[] rgb, int width, int height, SplittableRandom rng) {
        int gx = 3 + rng.nextInt(5);
        int gy = 3 + rng.nextInt(5);
        float[][] grid = new float[(gx + 1) * (gy + 1)][3];
        float baseR = 60 + rng.nextInt(140);
        float baseG = 60 + rng.nextInt(140);
        float baseB = 60 + rng.nextInt(140);
        for (float[] c : grid) {
            c[0] = clampf(baseR + rng.nextInt(-45, 46));
            c[1] = clampf(baseG + rng.nextInt(-45, 46));
            c[2] = clampf(baseB + rng.nextInt(-45, 46));
        }
        for (int y = 0; y < height; y++) {
            double fy = y * (double) gy / height;
            int iy = Math.min(gy - 1, (int) fy);
            float ty = (float) (fy - iy);
            for (int x = 0; x < width; x++) {
                double fx = x * (double) gx / width;
                int ix = Math.min(gx - 1, (int) fx);
                float tx = (float) (fx - ix);
                float[] a = grid[iy * (gx + 1) + ix];
                float[] b = grid[iy * (gx + 1) + ix + 1];
                float[] c = grid[(iy + 1) * (gx + 1) + ix];
                float[] d = grid[(iy + 1) * (gx + 1) + ix + 1];
                int r = Math.round((a[0] * (1 - tx) + b[0] * tx) * (1 - ty) + (c[0] * (1 - tx) + d[0] * tx) * ty);
                int g = Math.round((a[1] * (1 - tx) + b[1] * tx) * (1 - ty) + (c[1] * (1 - tx) + d[1] * tx) * ty);
                int bl = Math.round((a[2] * (1 - tx) + b[2] * tx) * (1 - ty) + (c[2] * (1 - tx) + d[2] * tx) * ty);
                rgb[y * width + x] = (r << 16) | (g << 8) | bl;
            }
        }
        // Streaks: thin soft lines so the background is not trivially smooth.
        int streaks = rng.nextInt(8);
        for (int s = 0; s < streaks; s++) {
            double angle = rng.nextDouble() * Math.PI;
            double ca = Math.cos(angle);
            double sa = Math.sin(angle);
            double offset = (rng.nextDouble() - 0.5) * (width + height) / 2;
            double half = 1 + rng.nextDouble() * 3;
            int delta = rng.nextInt(-40, 41);
            double mx = width / 2.0;
            double my = height / 2.0;
            // Pixels with |(x - mx) sa - (y - my) ca - offset| <= half: walk the band along its longer axis.
            if (Math.abs(sa) >= Math.abs(ca)) {
                for (int y = 0; y < height; y++) {
                    double centre = mx + ((y - my) * ca + offset) / sa;
                    double reach = half / Math.abs(sa);
                    int xs = Math.max(0, (int) Math.ceil(centre - reach));
                    int xe = Math.min(width - 1, (int) Math.floor(centre + reach));
                    for (int x = xs; x <= xe; x++) {
                        rgb[y * width + x] = add(rgb[y * width + x], delta);
                    }
                }
            } else {
                for (int x = 0; x < width; x++) {
                    double centre = my + ((x - mx) * sa - offset) / ca;
                    double reach = half / Math.abs(ca);
                    int ys = Math.max(0, (int) Math.ceil(centre - reach));
                    int ye = Math.min(height - 1, (int) Math.floor(centre + reach));
                    for (int y = ys; y <= ye; y++) {
                        rgb[y * width + x] = add(rgb[y * width + x], delta);
                    }
                }
            }
        }
    }

    /** Global exposure and per-pixel sensor noise, then conversion to OpenCV's BGR bytes. */
    private static byte[] finish(int[] rgb, int width, int height, SplittableRandom rng) {
        double exposure = 0.85 + 0.3 * rng.nextDouble();
        int amplitude = 4 + rng.nextInt(10);
        long noiseSeed = rng.nextLong();
        byte[] out = new byte[width * height * 3];
        int[] lut = new int[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = (int) Math.round(v * exposure);
        }
        long state = noiseSeed;
        for (int i = 0, o = 0; i < rgb.length; i++, o += 3) {
            state = SyntheticAppearance.mix(state + 0x9E3779B97F4A7C15L);
            int c = rgb[i];
            int span = 2 * amplitude + 1;
            int nb = (int) (((state & 0xffff) * span) >>> 16) - amplitude;
            int ng = (int) ((((state >>> 16) & 0xffff) * span) >>> 16) - amplitude;
            int nr = (int) ((((state >>> 32) & 0xffff) * span) >>> 16) - amplitude;
            out[o] = (byte) SyntheticAppearance.clamp(lut[c & 0xff] + nb);
            out[o + 1] = (byte) SyntheticAppearance.clamp(lut[(c >> 8) & 0xff] + ng);
            out[o + 2] = (byte) SyntheticAppearance.clamp(lut[(c >> 16) & 0xff] + nr);
        }
        return out;
    }

    private static int add(int c, int delta) {
        return (SyntheticAppearance.clamp(((c >> 16) & 0xff) + delta) << 16)
                | (SyntheticAppearance.clamp(((c >> 8) & 0xff) + delta) << 8)
                | SyntheticAppearance.clamp((c & 0xff) + delta);
    }

    private static float clampf(float v) {
        return Math.max(0, Math.min(255, v));
    }
}
