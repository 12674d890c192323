package dev.edgeslim.detector.data;

import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.postprocess.InputTransform;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2HSV;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_HSV2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

/**
 * Turns a labelled image into a network input (RGB floats in [0, 1], HWC, written into a caller's array) and its
 * boxes, with the random augmentations of {@link AugmentOptions}: random zoom/aspect/shift (which crops), HSV jitter
 * (darknet's hue/saturation/exposure), horizontal flip, and 4-image mosaic. Without augmentation it is exactly
 * {@link #fit} (stretched or letterboxed as the model's {@link ResizeMode} says; augmentation places images around
 * the same base geometry).
 *
 * <p>Geometry: every placement is an axis-aligned affine map x' = sx·x + tx in continuous pixel coordinates,
 * applied to the pixels (OpenCV resize/warpAffine, with the half-pixel offset that makes pixel centres agree) and to
 * the boxes alike, so boxes stay on their objects. Boxes are clipped to the visible region; remnants smaller than
 * {@code minBoxSide} or with less than {@code minVisibleFraction} of their area left are dropped. Uncovered area is
 * grey 0.5, as in the letterbox.
 *
 * <p>Stateless and thread-safe; all randomness comes from the caller's SplittableRandom, so the same seed gives the
 * same output on any thread.
 */
public final class Augmenter {
    /** The augmented sample: id of the main image and its boxes in network-input coordinates. */
    public record Output(String id, List<TargetBox> boxes) {
    }

    /** The letterbox's grey, so augmented and plain inputs pad alike. */
    private static final double GREY = InputTransform.PAD_VALUE;
    private final AugmentOptions options;
    private final ResizeMode resizeMode;

    /** {@code resizeMode}: the model's input transform, which also sets the base geometry of every augmentation. */
    public Augmenter(AugmentOptions options, ResizeMode resizeMode) {
        if (resizeMode == null) {
            throw new IllegalArgumentException("resize mode is required");
        }
        this.options = options;
        this.resizeMode = resizeMode;
    }

    public ResizeMode resizeMode() {
        return resizeMode;
    }

    public AugmentOptions options() {
        return options;
    }

    /** Floats one sample takes in a batch: height x width x 3. */
    public int sampleLength() {
        return options.width() * options.height() * 3;
    }

    /**
     * Augments sample {@code index} of {@code source} (plus three random others when a mosaic is drawn) into
     * {@code dest[offset .. offset + sampleLength())}.
     */
    public Output apply(ImageSource source, int index, SplittableRandom rng, float[] dest, int offset) {
        int netW = options.width();
        int netH = options.height();
        if (!options.augment()) {
            try (LabeledImage image = source.load(index)) {
                InputTransform lb = fit(image.image(), resizeMode, netW, netH, dest, offset);
                List<TargetBox> boxes = new ArrayList<>();
                for (PixelBox b : image.boxes()) {
                    addBox(boxes, b, lb.scaleX(), lb.dx(), lb.scaleY(), lb.dy(), 0, 0, netW, netH);
                }
                return new Output(image.id(), boxes);
            }
        }
        boolean mosaic = rng.nextDouble() < options.mosaicProbability();
        boolean flipped = options.flip() && rng.nextBoolean();
        List<TargetBox> boxes = new ArrayList<>();
        String id;
        try (Mat canvas = new Mat(netH, netW, CV_32FC3, grey())) {
            if (!mosaic) {
                try (LabeledImage image = source.load(index)) {
                    id = image.id();
                    place(image, rng, canvas, new Rect(0, 0, netW, netH), boxes);
                }
            } else {
                // Quadrants around a random centre; each gets its own image and its own random placement.
                int cx = (int) Math.round(netW * (0.3 + 0.4 * rng.nextDouble()));
                int cy = (int) Math.round(netH * (0.3 + 0.4 * rng.nextDouble()));
                int[][] rects = {{0, 0, cx, cy}, {cx, 0, netW - cx, cy}, {0, cy, cx, netH - cy},
                    {cx, cy, netW - cx, netH - cy}};
                id = null;
                for (int q = 0; q < 4; q++) {
                    int which = q == 0 ? index : rng.nextInt(source.size());
                    try (LabeledImage image = source.load(which)) {
                        if (q == 0) {
                            id = image.id();
                        }
                        int[] r = rects[q];
                        place(image, rng, canvas, new Rect(r[0], r[1], r[2], r[3]), boxes);
                    }
                }
            }
            if (flipped) {
                flip(canvas, canvas, 1);
                boxes.replaceAll(b -> new TargetBox(b.classId(), 1f - b.cx(), b.cy(), b.w(), b.h(), b.difficult()));
            }
            toRgb(canvas, dest, offset);
        }
        return new Output(id, boxes);
    }

    /**
     * Fits an 8-bit BGR image into {@code dest} as RGB floats in [0, 1] (the inference preprocessing) the way
     * {@code mode} says: INTER_LINEAR resize to {@link InputTransform#newWidth()} x {@link InputTransform#newHeight()}
     * at ({@link InputTransform#dx()}, {@link InputTransform#dy()}), grey 0.5 around it when letterboxed.
     * Same geometry as {@link InputTransform#toTensor(byte[])}, the pure-Java version used on the phone.
     */
    public static InputTransform fit(Mat bgr, ResizeMode mode, int netW, int netH, float[] dest, int offset) {
        InputTransform lb = InputTransform.of(mode, bgr.cols(), bgr.rows(), netW, netH);
        try (Mat resized = new Mat(); Mat scaled = new Mat(); Mat canvas = new Mat(netH, netW, CV_32FC3, grey());
             Size size = new Size(lb.newWidth(), lb.newHeight());
             Rect roi = new Rect(lb.dx(), lb.dy(), lb.newWidth(), lb.newHeight());
             Mat window = canvas.apply(roi)) {
            resize(bgr, resized, size, 0, 0, INTER_LINEAR);
            resized.convertTo(scaled, CV_32FC3, 1 / 255.0, 0);
            scaled.copyTo(window);
            toRgb(canvas, dest, offset);
        }
        return lb;
    }

    /** Places one image, jittered, so that it shows through {@code region} of the canvas; adds its boxes. */
    private void place(LabeledImage image, SplittableRandom rng, Mat canvas, Rect region, List<TargetBox> boxes) {
        int w = image.width();
        int h = image.height();
        int netW = options.width();
        int netH = options.height();
        // Draw every random number in a fixed order.
        double zoom = Math.exp(uniform(rng, Math.log(options.scaleMin()), Math.log(options.scaleMax())));
        double aspect = Math.exp(uniform(rng, -Math.log1p(options.aspectJitter()), Math.log1p(options.aspectJitter())));
        double shiftX = uniform(rng, -1, 1);
        double shiftY = uniform(rng, -1, 1);
        double dHue = uniform(rng, -options.hue(), options.hue());
        double dSat = randomScale(rng, options.saturation());
        double dExp = randomScale(rng, options.exposure());

        // darknet's geometry for the mode: letter_box=1 keeps the aspect ratio, letter_box=0 stretches to the input
        double baseX = resizeMode == ResizeMode.STRETCH ? netW / (double) w : Math.min(netW / (double) w, netH / (double) h);
        double baseY = resizeMode == ResizeMode.STRETCH ? netH / (double) h : Math.min(netW / (double) w, netH / (double) h);
        double sx = baseX * zoom * Math.sqrt(aspect);
        double sy = baseY * zoom / Math.sqrt(aspect);
        double placedW = w * sx;
        double placedH = h * sy;
        double rw = region.width();
        double rh = region.height();
        double rangeX = options.translate() * rw + Math.max(0, (placedW - rw) / 2);
        double rangeY = options.translate() * rh + Math.max(0, (placedH - rh) / 2);
        double centreX = region.x() + rw / 2 + shiftX * rangeX;
        double centreY = region.y() + rh / 2 + shiftY * rangeY;
        double tx = centreX - placedW / 2;
        double ty = centreY - placedH / 2;

        try (Mat pixels = new Mat(); Mat window = canvas.apply(region)) {
            image.image().convertTo(pixels, CV_32FC3, 1 / 255.0, 0);
            jitterHsv(pixels, dHue, dSat, dExp);
            warpInto(pixels, sx, sy, tx - region.x(), ty - region.y(), window);
        }
        for (PixelBox b : image.boxes()) {
            addBox(boxes, b, sx, tx, sy, ty, region.x(), region.y(), region.x() + region.width(),
                    region.y() + region.height());
        }
    }

    /** Maps the float image by x' = sx·x + tx (continuous coordinates) into {@code dst}, grey outside. */
    private static void warpInto(Mat src, double sx, double sy, double tx, double ty, Mat dst) {
        int w = src.cols();
        int h = src.rows();
        int rw = (int) Math.max(1, Math.round(w * sx));
        int rh = (int) Math.max(1, Math.round(h * sy));
        Mat shrunk = null;
        try {
            Mat from = src;
            if (rw < w || rh < h) {
                // Shrink with area averaging first (warpAffine's bilinear sampling would alias).
                shrunk = new Mat();
                try (Size s = new Size(rw, rh)) {
                    resize(src, shrunk, s, 0, 0, INTER_AREA);
                }
                from = shrunk;
            }
            double fx = sx * w / from.cols();
            double fy = sy * h / from.rows();
            try (Mat m = new Mat(2, 3, CV_64F); Size size = new Size(dst.cols(), dst.rows());
                 Scalar border = grey()) {
                // Pixel i covers [i, i+1): its centre i + 0.5 maps to fx (i + 0.5) + tx.
                double[] affine = {fx, 0, tx + 0.5 * fx - 0.5, 0, fy, ty + 0.5 * fy - 0.5};
                new org.bytedeco.javacpp.DoublePointer(m.data()).put(affine);
                warpAffine(from, dst, m, size, INTER_LINEAR, BORDER_CONSTANT, border);
            }
        } finally {
            if (shrunk != null) {
                shrunk.close();
            }
        }
    }

    /** Darknet's HSV jitter on a float BGR image in [0, 1]: hue shift (fraction of the circle), S and V scaled. */
    private static void jitterHsv(Mat bgr, double dHue, double dSat, double dExp) {
        if (dHue == 0 && dSat == 1 && dExp == 1) {
            return;
        }
        try (Mat hsv = new Mat()) {
            cvtColor(bgr, hsv, COLOR_BGR2HSV);
            int n = hsv.rows() * hsv.cols() * 3;
            float[] v = new float[n];
            FloatPointer data = new FloatPointer(hsv.data());
            data.get(v, 0, n);
            float hueShift = (float) (dHue * 360);
            for (int i = 0; i < n; i += 3) {
                float hue = v[i] + hueShift;
                if (hue < 0) {
                    hue += 360;
                } else if (hue >= 360) {
                    hue -= 360;
                }
                v[i] = hue;
                v[i + 1] = Math.min(1f, v[i + 1] * (float) dSat);
                v[i + 2] = Math.min(1f, v[i + 2] * (float) dExp);
            }
            data.put(v, 0, n);
            cvtColor(hsv, bgr, COLOR_HSV2BGR);
        }
    }

    /** Maps a box by x' = sx·x + tx, clips it to the region and keeps it unless it became a remnant. */
    private void addBox(List<TargetBox> out, PixelBox b, double sx, double tx, double sy, double ty, double rx0,
                        double ry0, double rx1, double ry1) {
        double x0 = b.left() * sx + tx;
        double x1 = b.right() * sx + tx;
        double y0 = b.top() * sy + ty;
        double y1 = b.bottom() * sy + ty;
        double area = (x1 - x0) * (y1 - y0);
        double cx0 = Math.max(rx0, x0);
        double cx1 = Math.min(rx1, x1);
        double cy0 = Math.max(ry0, y0);
        double cy1 = Math.min(ry1, y1);
        double cw = cx1 - cx0;
        double ch = cy1 - cy0;
        if (cw <= 0 || ch <= 0 || cw < options.minBoxSide() || ch < options.minBoxSide()
                || cw * ch < options.minVisibleFraction() * area) {
            return;
        }
        int netW = options.width();
        int netH = options.height();
        out.add(new TargetBox(b.classId(), (float) ((cx0 + cx1) / 2 / netW), (float) ((cy0 + cy1) / 2 / netH),
                (float) (cw / netW), (float) (ch / netH), b.difficult()));
    }

    private static void toRgb(Mat bgrFloat, float[] dest, int offset) {
        int n = bgrFloat.rows() * bgrFloat.cols() * 3;
        if (offset < 0 || offset + n > dest.length) {
            throw new IllegalArgumentException("destination too small: need " + n + " floats at " + offset);
        }
        try (Mat rgb = new Mat()) {
            cvtColor(bgrFloat, rgb, COLOR_BGR2RGB);
            new FloatPointer(rgb.data()).get(dest, offset, n);
        }
    }

    private static Scalar grey() {
        return new Scalar(GREY, GREY, GREY, 0);
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + rng.nextDouble() * (hi - lo); // always draws, so the sequence does not depend on options
    }

    /** darknet's rand_scale: a factor in [1, s], inverted half of the time. */
    private static double randomScale(SplittableRandom rng, double s) {
        double scale = uniform(rng, 1, s);
        return rng.nextBoolean() ? scale : 1 / scale;
    }
}
