package dev.edgeslim.detector.data;

/**
 * What {@link Augmenter} does to a training image. Defaults follow darknet's yolov4 cfg spirit (hue .1,
 * saturation 1.5, exposure 1.5, flip, mosaic) with an explicit zoom/aspect/shift jitter instead of darknet's
 * crop jitter.
 *
 * @param width              network input width
 * @param height             network input height
 * @param augment            false = letterbox only (all other fields ignored)
 * @param scaleMin           smallest random zoom, relative to the letterbox fit (log-uniform in [min, max])
 * @param scaleMax           largest random zoom (&gt; 1 crops the image)
 * @param aspectJitter       aspect ratio changed by a factor in [1/(1+a), 1+a]
 * @param translate          random shift of the image centre, as a fraction of the network size (plus the
 *                           overhang when the zoomed image is larger than the input, so every part can be seen)
 * @param hue                hue shift in [-hue, hue] of the full circle
 * @param saturation         saturation scaled by [1, s] or its inverse
 * @param exposure           value (brightness) scaled by [1, e] or its inverse
 * @param flip               random horizontal flip
 * @param mosaicProbability  chance to compose four images in the quadrants around a random centre
 * @param minBoxSide         boxes narrower or lower than this (network pixels) after clipping are dropped
 * @param minVisibleFraction boxes with less than this fraction of their area left after clipping are dropped
 */
public record AugmentOptions(int width, int height, boolean augment, double scaleMin, double scaleMax,
                             double aspectJitter, double translate, double hue, double saturation, double exposure,
                             boolean flip, double mosaicProbability, double minBoxSide, double minVisibleFraction) {
    public AugmentOptions {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("network size must be positive");
        }
        if (!(scaleMin > 0 && scaleMax >= scaleMin) || !(aspectJitter >= 0) || !(translate >= 0)
                || !(hue >= 0 && hue <= 0.5) || !(saturation >= 1) || !(exposure >= 1)
                || !(mosaicProbability >= 0 && mosaicProbability <= 1) || !(minBoxSide >= 0)
                || !(minVisibleFraction >= 0 && minVisibleFraction <= 1)) {
            throw new IllegalArgumentException("invalid augmentation options " + this);
        }
    }

    /** Training defaults for a width x height network. */
    public static AugmentOptions defaults(int width, int height) {
        return new AugmentOptions(width, height, true, 0.5, 1.5, 0.25, 0.2, 0.1, 1.5, 1.5, true, 0.5, 2, 0.2);
    }

    /** Evaluation / inference: letterbox only. */
    public static AugmentOptions evaluation(int width, int height) {
        return new AugmentOptions(width, height, false, 1, 1, 0, 0, 0, 1, 1, false, 0, 0, 0);
    }

    public AugmentOptions withMosaic(double probability) {
        return new AugmentOptions(width, height, augment, scaleMin, scaleMax, aspectJitter, translate, hue,
                saturation, exposure, flip, probability, minBoxSide, minVisibleFraction);
    }

    public AugmentOptions withFlip(boolean f) {
        return new AugmentOptions(width, height, augment, scaleMin, scaleMax, aspectJitter, translate, hue,
                saturation, exposure, f, mosaicProbability, minBoxSide, minVisibleFraction);
    }

    public AugmentOptions withColor(double h, double s, double e) {
        return new AugmentOptions(width, height, augment, scaleMin, scaleMax, aspectJitter, translate, h, s, e, flip,
                mosaicProbability, minBoxSide, minVisibleFraction);
    }

    public AugmentOptions withGeometry(double zoomMin, double zoomMax, double aspect, double shift) {
        return new AugmentOptions(width, height, augment, zoomMin, zoomMax, aspect, shift, hue, saturation, exposure,
                flip, mosaicProbability, minBoxSide, minVisibleFraction);
    }

    public AugmentOptions withSize(int w, int h) {
        return new AugmentOptions(w, h, augment, scaleMin, scaleMax, aspectJitter, translate, hue, saturation,
                exposure, flip, mosaicProbability, minBoxSide, minVisibleFraction);
    }
}
