package dev.edgeslim.detector.data;

import dev.edgeslim.detector.model.ResizeMode;
import dev.edgeslim.detector.postprocess.InputTransform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Boxes stay on their objects: each object is a filled rectangle of a colour unique to its class; after
 * augmentation every pixel of that colour must lie inside a box of that class, and each box must be filled with it.
 */
class AugmenterTest {
    private static final int NET = 128;
    private final MemorySource source = new MemorySource()
            .add(300, 200, new int[]{0, 30, 40, 100, 60}, new int[]{1, 200, 20, 90, 170})
            .add(160, 240, new int[]{2, 10, 10, 60, 80}, new int[]{3, 90, 150, 60, 80})
            .add(200, 200, new int[]{4, 50, 50, 100, 100})
            .add(240, 180, new int[]{5, 0, 0, 80, 60}, new int[]{0, 150, 100, 90, 80});

    @AfterEach
    void close() {
        source.close();
    }

    /** Geometry-only training options: no colour jitter, nothing dropped, so every coloured pixel needs a box. */
    private static AugmentOptions geometryOnly() {
        return new AugmentOptions(NET, NET, true, 0.5, 1.5, 0.25, 0.2, 0, 1, 1, false, 0, 0, 0);
    }

    @Test
    void letterboxMatchesTheSharedGeometryAndPadsWithGrey() {
        Augmenter a = new Augmenter(AugmentOptions.evaluation(NET, NET), ResizeMode.LETTERBOX);
        float[] out = new float[a.sampleLength()];
        Augmenter.Output o = a.apply(source, 0, new SplittableRandom(1), out, 0);
        InputTransform lb = InputTransform.letterbox(300, 200, NET, NET);
        assertEquals(NET, lb.newWidth());
        assertEquals(85, lb.newHeight());
        assertEquals(21, lb.dy());
        for (int x = 0; x < NET; x++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(0.5f, out[(0 * NET + x) * 3 + c]);
                assertEquals(0.5f, out[(20 * NET + x) * 3 + c]);
                assertEquals(0.5f, out[(106 * NET + x) * 3 + c]);
                assertEquals(0.5f, out[(127 * NET + x) * 3 + c]);
            }
        }
        assertEquals(2, o.boxes().size());
        TargetBox red = o.boxes().get(0);
        // training targets sit where the pixels were drawn (integer placement dx, dy)
        assertEquals(30.0 * lb.scaleX() + lb.dx(), red.left(NET), 1e-3);
        assertEquals(130.0 * lb.scaleX() + lb.dx(), red.right(NET), 1e-3);
        assertEquals(40.0 * lb.scaleY() + lb.dy(), red.top(NET), 1e-3);
        assertEquals(100.0 * lb.scaleY() + lb.dy(), red.bottom(NET), 1e-3);
        assertEquals(30, lb.toImageX(lb.toNetworkX(30.0)), 1e-9);
        assertAligned(out, o.boxes());
        // Augmenter.letterbox (used by inference) is the same pixels
        float[] direct = new float[a.sampleLength()];
        try (LabeledImage li = source.load(0)) {
            Augmenter.fit(li.image(), ResizeMode.LETTERBOX, NET, NET, direct, 0);
        }
        assertArrayEquals(out, direct);
    }

    @Test
    void flipMirrorsPixelsAndBoxes() {
        AugmentOptions noJitter = new AugmentOptions(NET, NET, true, 1, 1, 0, 0, 0, 1, 1, true, 0, 0, 0);
        Augmenter flipper = new Augmenter(noJitter, ResizeMode.LETTERBOX);
        Augmenter plain = new Augmenter(noJitter.withFlip(false), ResizeMode.LETTERBOX);
        float[] ref = new float[plain.sampleLength()];
        TargetBox redRef = plain.apply(source, 0, new SplittableRandom(0), ref, 0).boxes().get(0);
        int flipped = 0;
        for (int seed = 0; seed < 8; seed++) {
            float[] out = new float[flipper.sampleLength()];
            List<TargetBox> boxes = flipper.apply(source, 0, new SplittableRandom(seed), out, 0).boxes();
            assertAligned(out, boxes);
            TargetBox red = boxes.get(0);
            if (Math.abs(red.cx() - (1 - redRef.cx())) < 1e-5) {
                flipped++;
                // pixel (x, y) of the flipped image is pixel (W-1-x, y) of the unflipped one
                for (int y = 0; y < NET; y += 7) {
                    for (int x = 0; x < NET; x += 5) {
                        for (int c = 0; c < 3; c++) {
                            assertEquals(ref[(y * NET + NET - 1 - x) * 3 + c], out[(y * NET + x) * 3 + c], 1e-6);
                        }
                    }
                }
            } else {
                assertEquals(redRef.cx(), red.cx(), 1e-5);
            }
        }
        assertTrue(flipped > 0 && flipped < 8, "flipped " + flipped + " of 8");
    }

    @Test
    void scaleAspectAndTranslateKeepBoxesOnTheirObjects() {
        Augmenter a = new Augmenter(geometryOnly(), ResizeMode.LETTERBOX);
        Set<Integer> cropped = new HashSet<>();
        for (int seed = 0; seed < 24; seed++) {
            float[] out = new float[a.sampleLength()];
            int index = seed % source.size();
            List<TargetBox> boxes = a.apply(source, index, new SplittableRandom(seed), out, 0).boxes();
            assertAligned(out, boxes);
            for (TargetBox b : boxes) {
                assertTrue(b.left(NET) >= -1e-4 && b.right(NET) <= NET + 1e-4 && b.top(NET) >= -1e-4
                        && b.bottom(NET) <= NET + 1e-4, b.toString());
                if (b.left(NET) < 1e-3 || b.right(NET) > NET - 1e-3) {
                    cropped.add(seed);
                }
            }
        }
        assertFalse(cropped.isEmpty(), "some zoomed/shifted images should crop a box at the border");
    }

    @Test
    void mosaicComposesFourImagesWithAlignedBoxes() {
        Augmenter a = new Augmenter(geometryOnly().withMosaic(1), ResizeMode.LETTERBOX);
        int multiImage = 0;
        for (int seed = 0; seed < 16; seed++) {
            float[] out = new float[a.sampleLength()];
            Augmenter.Output o = a.apply(source, seed % source.size(), new SplittableRandom(seed), out, 0);
            assertEquals("img" + seed % source.size(), o.id());
            assertAligned(out, o.boxes());
            Set<Integer> classes = new HashSet<>();
            o.boxes().forEach(b -> classes.add(b.classId()));
            if (classes.size() >= 3) {
                multiImage++;
            }
        }
        assertTrue(multiImage > 8, "mosaics should mix objects of several images: " + multiImage);
    }

    @Test
    void defaultTrainingAugmentationDropsRemnantsAndKeepsGreyPadding() {
        AugmentOptions defaults = AugmentOptions.defaults(NET, NET).withMosaic(0).withGeometry(0.5, 0.5, 0, 0);
        Augmenter a = new Augmenter(defaults, ResizeMode.LETTERBOX);
        int recoloured = 0;
        for (int seed = 0; seed < 10; seed++) {
            float[] out = new float[a.sampleLength()];
            List<TargetBox> boxes = a.apply(source, 0, new SplittableRandom(seed), out, 0).boxes();
            // 300x200 at half the letterbox scale: 64x43 in the middle, the border rows/columns are pad
            for (int x = 0; x < NET; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(0.5f, out[x * 3 + c]);
                    assertEquals(0.5f, out[((NET - 1) * NET + x) * 3 + c]);
                }
            }
            for (TargetBox b : boxes) {
                assertTrue(b.w() * NET >= defaults.minBoxSide() && b.h() * NET >= defaults.minBoxSide());
            }
            // HSV jitter changes the red object's colour in most draws
            TargetBox red = boxes.stream().filter(b -> b.classId() == 0).findFirst().orElseThrow();
            int px = (int) (red.cx() * NET);
            int py = (int) (red.cy() * NET);
            float r = out[(py * NET + px) * 3];
            float g = out[(py * NET + px) * 3 + 1];
            if (Math.abs(r - 1) > 0.02 || g > 0.02) {
                recoloured++;
            }
        }
        assertTrue(recoloured >= 5, "recoloured " + recoloured);
    }

    @Test
    void sameRandomStateGivesTheSameSample() {
        Augmenter a = new Augmenter(AugmentOptions.defaults(NET, NET), ResizeMode.LETTERBOX);
        float[] x = new float[a.sampleLength()];
        float[] y = new float[a.sampleLength()];
        List<TargetBox> bx = a.apply(source, 1, new SplittableRandom(5), x, 0).boxes();
        List<TargetBox> by = a.apply(source, 1, new SplittableRandom(5), y, 0).boxes();
        assertArrayEquals(x, y);
        assertEquals(bx, by);
        float[] z = new float[a.sampleLength()];
        a.apply(source, 1, new SplittableRandom(6), z, 0);
        assertFalse(java.util.Arrays.equals(x, z));
    }

    /** Every pixel of a class colour lies in a box of that class (1.5 px tolerance); every box is that colour. */
    static void assertAligned(float[] out, List<TargetBox> boxes) {
        int outside = 0;
        int coloured = 0;
        for (int y = 0; y < NET; y++) {
            for (int x = 0; x < NET; x++) {
                int cls = classAt(out, x, y);
                if (cls < 0) {
                    continue;
                }
                coloured++;
                boolean inside = false;
                for (TargetBox b : boxes) {
                    if (b.classId() == cls && x + 0.5 >= b.left(NET) - 1.5 && x + 0.5 <= b.right(NET) + 1.5
                            && y + 0.5 >= b.top(NET) - 1.5 && y + 0.5 <= b.bottom(NET) + 1.5) {
                        inside = true;
                        break;
                    }
                }
                if (!inside) {
                    outside++;
                }
            }
        }
        assertEquals(0, outside, "coloured pixels outside their boxes (of " + coloured + ")");
        for (TargetBox b : boxes) {
            int x0 = (int) Math.ceil(b.left(NET) + 1.5);
            int x1 = (int) Math.floor(b.right(NET) - 1.5);
            int y0 = (int) Math.ceil(b.top(NET) + 1.5);
            int y1 = (int) Math.floor(b.bottom(NET) - 1.5);
            int total = 0;
            int match = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    total++;
                    match += classAt(out, x, y) == b.classId() ? 1 : 0;
                }
            }
            if (total > 0) {
                assertTrue(match >= 0.97 * total, "box " + b + " is " + match + "/" + total + " its colour");
            }
        }
    }

    private static int classAt(float[] out, int x, int y) {
        int i = (y * NET + x) * 3;
        for (int c = 0; c < MemorySource.RGB.length; c++) {
            boolean ok = true;
            for (int k = 0; k < 3; k++) {
                float want = MemorySource.RGB[c][k] / 255f;
                if (Math.abs(out[i + k] - want) > 0.2f) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                return c;
            }
        }
        return -1;
    }
}
