package dev.edgeslim.detector.data;

import java.util.SplittableRandom;

/**
 * The look of each of the 20 VOC classes in {@link SyntheticVoc} images: a shape, a two-colour palette, a texture
 * and a typical aspect ratio, chosen so that no two classes share all of them and a small detector can learn to
 * tell them apart (the semantics are loose on purpose: a "bus" is a wide yellow-black chequered rectangle).
 * Each instance jitters colours, texture scale/phase/angle and may be mirrored.
 */
final class SyntheticAppearance {
    enum Shape { ELLIPSE, RECTANGLE, TRIANGLE, STAR, RING, CROSS, DIAMOND, HEXAGON, CRESCENT, TRAPEZOID, T_SHAPE,
        SALTIRE, HALF_DISC, CLOUD, U_SHAPE, ARROW, ROUNDED_RECT }

    enum Texture { SOLID, STRIPES, CHECKS, DOTS, GRADIENT, RINGS, SPOTS, SPECKLE, SPLIT, FRAME }

    /** A class's look: colours are 0xRRGGBB; stripe/gradient angle in degrees; aspect = width / height. */
    record Style(Shape shape, int colorA, int colorB, Texture texture, double angle, double aspect) {
    }

    /** Indexed by VOC class id ({@link VocClasses#VOC} order). */
    static final Style[] STYLES = {
        new Style(Shape.TRIANGLE, 0x5DA9E9, 0xF4F4F4, Texture.STRIPES, 0, 1.6),      // aeroplane
        new Style(Shape.RING, 0x202020, 0xF2D024, Texture.DOTS, 0, 1.0),             // bicycle
        new Style(Shape.CRESCENT, 0xF28C28, 0x6B3E1E, Texture.SOLID, 0, 1.0),        // bird
        new Style(Shape.TRAPEZOID, 0x1F3A93, 0xEDEDED, Texture.STRIPES, 0, 1.9),     // boat
        new Style(Shape.ROUNDED_RECT, 0x2E8B57, 0x0B3D20, Texture.GRADIENT, 90, 0.38), // bottle
        new Style(Shape.RECTANGLE, 0xF5C518, 0x1A1A1A, Texture.CHECKS, 0, 2.0),      // bus
        new Style(Shape.ELLIPSE, 0xD7263D, 0xC0C0C8, Texture.GRADIENT, 0, 1.8),      // car
        new Style(Shape.DIAMOND, 0x8A8A8A, 0xE8872E, Texture.STRIPES, 45, 1.0),      // cat
        new Style(Shape.T_SHAPE, 0x7B4A22, 0xE3C99A, Texture.SOLID, 0, 0.8),         // chair
        new Style(Shape.ELLIPSE, 0xF7F7F0, 0x151515, Texture.SPOTS, 0, 1.5),         // cow
        new Style(Shape.HEXAGON, 0xC9A46B, 0x6E4B2A, Texture.RINGS, 0, 1.6),         // diningtable
        new Style(Shape.CROSS, 0x9C6B3C, 0xF0D9B5, Texture.DOTS, 0, 1.2),            // dog
        new Style(Shape.SALTIRE, 0x4A2A12, 0x0D0D0D, Texture.GRADIENT, 45, 1.2),     // horse
        new Style(Shape.HALF_DISC, 0xC21807, 0x111111, Texture.CHECKS, 0, 1.4),      // motorbike
        new Style(Shape.ELLIPSE, 0xF1C27D, 0x2B50AA, Texture.SPLIT, 0, 0.42),        // person
        new Style(Shape.STAR, 0x3FA34D, 0xB5562B, Texture.DOTS, 0, 1.0),             // pottedplant
        new Style(Shape.CLOUD, 0xF3EFE0, 0xBDB39A, Texture.SPECKLE, 0, 1.3),         // sheep
        new Style(Shape.U_SHAPE, 0x7A2E8C, 0xD65DB1, Texture.STRIPES, 90, 2.0),      // sofa
        new Style(Shape.ARROW, 0x6C7A89, 0xC0392B, Texture.STRIPES, 0, 2.5),         // train
        new Style(Shape.RECTANGLE, 0x111111, 0x3B7DD8, Texture.FRAME, 0, 1.3),       // tvmonitor
    };

    private SyntheticAppearance() {
    }

    /** One drawn object: its class style with per-instance jitter. Evaluated per pixel by {@link #colorAt}. */
    static final class Instance {
        final Style style;
        final int colorA;
        final int colorB;
        final boolean mirrored;
        final double period;
        final double phase;
        final double cos;
        final double sin;
        final double[] spots;
        final long noiseSeed;

        Instance(Style style, double widthPx, double heightPx, SplittableRandom rng) {
            this.style = style;
            this.colorA = jitter(style.colorA(), rng);
            this.colorB = jitter(style.colorB(), rng);
            this.mirrored = rng.nextBoolean();
            double side = Math.min(widthPx, heightPx);
            this.period = Math.max(4, side / (3 + rng.nextDouble() * 4));
            this.phase = rng.nextDouble();
            double angle = Math.toRadians(style.angle() + (rng.nextDouble() - 0.5) * 30);
            this.cos = Math.cos(angle);
            this.sin = Math.sin(angle);
            int n = 4 + rng.nextInt(4);
            this.spots = new double[n * 3];
            for (int i = 0; i < n; i++) {
                spots[3 * i] = rng.nextDouble() * 1.6 - 0.8;
                spots[3 * i + 1] = rng.nextDouble() * 1.6 - 0.8;
                spots[3 * i + 2] = 0.15 + rng.nextDouble() * 0.25;
            }
            this.noiseSeed = rng.nextLong();
        }

        /** Whether normalised object coordinates (u, v in [-1, 1], v down) are inside the shape. */
        boolean inside(double u, double v) {
            if (mirrored) {
                u = -u;
            }
            double au = Math.abs(u);
            double av = Math.abs(v);
            switch (style.shape()) {
                case ELLIPSE:
                    return u * u + v * v <= 1;
                case RECTANGLE:
                    return au <= 1 && av <= 1;
                case ROUNDED_RECT: {
                    double r = 0.4;
                    double dx = Math.max(0, au - (1 - r));
                    double dy = Math.max(0, av - (1 - r));
                    return au <= 1 && av <= 1 && dx * dx + dy * dy <= r * r;
                }
                case TRIANGLE:
                    return v >= -1 && v <= 1 && au <= (v + 1) / 2;
                case STAR: {
                    double r = Math.sqrt(u * u + v * v);
                    if (r > 1) {
                        return false;
                    }
                    if (r < 0.42) {
                        return true;
                    }
                    double a = Math.atan2(u, -v); // 0 at the top point
                    double sector = 2 * Math.PI / 5;
                    double t = Math.abs(((a % sector) + sector) % sector / sector - 0.5) * 2; // 1 at a point
                    return r <= 0.42 + 0.58 * t * t;
                }
                case RING: {
                    double r2 = u * u + v * v;
                    return r2 <= 1 && r2 >= 0.36;
                }
                case CROSS:
                    return (au <= 0.32 && av <= 1) || (av <= 0.32 && au <= 1);
                case DIAMOND:
                    return au + av <= 1;
                case HEXAGON:
                    return av <= 1 && au <= 1 - av * 0.5;
                case CRESCENT:
                    return u * u + v * v <= 1 && (u - 0.5) * (u - 0.5) + (v + 0.15) * (v + 0.15) > 0.62;
                case TRAPEZOID:
                    return av <= 1 && au <= 0.55 + 0.45 * (1 - v) / 2;
                case T_SHAPE:
                    return au <= 1 && av <= 1 && (v <= -0.35 || au <= 0.3);
                case SALTIRE:
                    return au <= 1 && av <= 1 && (Math.abs(u - v) <= 0.42 || Math.abs(u + v) <= 0.42);
                case HALF_DISC:
                    return v <= 1 && u * u + (v - 1) * (v - 1) / 4 <= 1;
                case CLOUD: {
                    double r = Math.sqrt(u * u + v * v);
                    double a = Math.atan2(v, u);
                    return r <= 0.84 + 0.16 * Math.cos(7 * a);
                }
                case U_SHAPE:
                    return au <= 1 && av <= 1 && (v >= 0.25 || au >= 0.62);
                case ARROW:
                    return au <= 1 && av <= 1 && (u <= 0.3 ? av <= 0.45 : av <= (1 - u) / 0.7);
                default:
                    throw new IllegalStateException(String.valueOf(style.shape()));
            }
        }

        /** The colour (0xRRGGBB) at normalised (u, v) and object-relative pixel offset (px, py). */
        int colorAt(double u, double v, double px, double py) {
            double t; // 0 = colour A, 1 = colour B
            double shade = 1.0 - 0.12 * v; // soft light from above
            switch (style.texture()) {
                case SOLID:
                    t = 0;
                    break;
                case STRIPES: {
                    double s = (px * cos + py * sin) / period + phase;
                    t = s - Math.floor(s) < 0.5 ? 0 : 1;
                    break;
                }
                case CHECKS: {
                    long cx = (long) Math.floor(px / period + phase);
                    long cy = (long) Math.floor(py / period + phase);
                    t = ((cx + cy) & 1) == 0 ? 0 : 1;
                    break;
                }
                case DOTS: {
                    double gx = px / period + phase;
                    double gy = py / period + phase;
                    double fx = gx - Math.floor(gx) - 0.5;
                    double fy = gy - Math.floor(gy) - 0.5;
                    t = fx * fx + fy * fy < 0.09 ? 1 : 0;
                    break;
                }
                case GRADIENT:
                    t = Math.min(1, Math.max(0, ((mirrored ? -u : u) * cos + v * sin + 1) / 2));
                    break;
                case RINGS: {
                    double r = Math.sqrt(u * u + v * v) * 3.5 + phase;
                    t = r - Math.floor(r) < 0.5 ? 0 : 1;
                    break;
                }
                case SPOTS: {
                    t = 0;
                    for (int i = 0; i < spots.length; i += 3) {
                        double dx = u - spots[i];
                        double dy = v - spots[i + 1];
                        if (dx * dx + dy * dy < spots[i + 2] * spots[i + 2]) {
                            t = 1;
                            break;
                        }
                    }
                    break;
                }
                case SPECKLE: {
                    long h = mix(noiseSeed ^ (((long) Math.floor(px / 2)) * 0x9E3779B97F4A7C15L)
                            ^ ((long) Math.floor(py / 2)) * 0xC2B2AE3D27D4EB4FL);
                    t = (h & 0xff) < 90 ? 1 : 0;
                    break;
                }
                case SPLIT:
                    t = v < -0.25 ? 0 : 1;
                    shade = 1.0;
                    break;
                case FRAME: {
                    boolean border = Math.abs(u) > 0.82 || Math.abs(v) > 0.78;
                    if (border) {
                        t = 0;
                    } else {
                        t = 1;
                        shade = 0.75 + 0.35 * (1 - (v + 1) / 2);
                    }
                    break;
                }
                default:
                    throw new IllegalStateException(String.valueOf(style.texture()));
            }
            int c = t == 0 ? colorA : t == 1 ? colorB : lerp(colorA, colorB, t);
            return shade == 1.0 ? c : scale(c, shade);
        }
    }

    static int jitter(int rgb, SplittableRandom rng) {
        int r = clamp(((rgb >> 16) & 0xff) + rng.nextInt(-18, 19));
        int g = clamp(((rgb >> 8) & 0xff) + rng.nextInt(-18, 19));
        int b = clamp((rgb & 0xff) + rng.nextInt(-18, 19));
        return (r << 16) | (g << 8) | b;
    }

    static int lerp(int a, int b, double t) {
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - t) + ((b >> 16) & 0xff) * t);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - t) + ((b >> 8) & 0xff) * t);
        int bl = (int) Math.round((a & 0xff) * (1 - t) + (b & 0xff) * t);
        return (r << 16) | (g << 8) | bl;
    }

    static int scale(int c, double f) {
        return (clamp((int) Math.round(((c >> 16) & 0xff) * f)) << 16)
                | (clamp((int) Math.round(((c >> 8) & 0xff) * f)) << 8)
                | clamp((int) Math.round((c & 0xff) * f));
    }

    static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    static long mix(long z) {
        return Seeds.mix(z);
    }
}
