package dev.edgeslim.compressor.export.tflite;

import java.util.SplittableRandom;

/**
 * Seeded image-like inputs in [0, 1]: smooth colour gradients, a few bright and dark rectangles, mild noise and
 * a grey letterbox band, so feature maps see edges, flat regions and the 0.5 border as real photos would.
 */
final class SyntheticImages implements CalibrationSource {
    private final long seed;
    private final int count;

    SyntheticImages(long seed, int count) {
        this.seed = seed;
        this.count = count;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public float[] image(int index, int width, int height) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index);
        float[] img = new float[width * height * 3];
        double[] base = {r.nextDouble(), r.nextDouble(), r.nextDouble()};
        double[] gx = {r.nextDouble() - 0.5, r.nextDouble() - 0.5, r.nextDouble() - 0.5};
        double[] gy = {r.nextDouble() - 0.5, r.nextDouble() - 0.5, r.nextDouble() - 0.5};
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    img[(y * width + x) * 3 + c] = (float) (base[c] + gx[c] * x / width + gy[c] * y / height
                            + 0.05 * (r.nextDouble() - 0.5));
                }
            }
        }
        for (int b = 0; b < 4; b++) {
            int x0 = r.nextInt(width);
            int y0 = r.nextInt(height);
            int x1 = Math.min(width, x0 + 1 + r.nextInt(Math.max(1, width / 3)));
            int y1 = Math.min(height, y0 + 1 + r.nextInt(Math.max(1, height / 3)));
            double[] colour = {r.nextDouble(), r.nextDouble(), r.nextDouble()};
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    for (int c = 0; c < 3; c++) {
                        img[(y * width + x) * 3 + c] = (float) colour[c];
                    }
                }
            }
        }
        int band = r.nextInt(Math.max(1, height / 6));
        for (int y = 0; y < band; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    img[(y * width + x) * 3 + c] = 0.5f;
                }
            }
        }
        for (int i = 0; i < img.length; i++) {
            img[i] = Math.max(0f, Math.min(1f, img[i]));
        }
        return img;
    }
}
