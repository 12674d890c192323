package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticVocTest {
    private static final SyntheticVoc.Options SMALL = new SyntheticVoc.Options(10, 4, 96, 7, 2);

    @TempDir
    Path tmp;

    @Test
    void sameSeedGivesIdenticalFilesWhateverTheThreadCount() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        SyntheticVoc.generate(a, SMALL, false, null);
        SyntheticVoc.generate(b, SMALL.withThreads(1), false, null);
        Map<String, byte[]> fa = files(a);
        Map<String, byte[]> fb = files(b);
        assertEquals(fa.keySet(), fb.keySet());
        // 14 images + 14 annotations + 4 split lists + 80 per-class lists + manifest
        assertEquals(14 + 14 + 4 + 80 + 1, fa.size());
        for (String name : fa.keySet()) {
            assertArrayEquals(fa.get(name), fb.get(name), name);
        }
    }

    @Test
    void differentSeedGivesDifferentImages() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        SyntheticVoc.generate(a, SMALL, false, null);
        SyntheticVoc.generate(b, SMALL.withSeed(8), false, null);
        Map<String, byte[]> fa = files(a);
        Map<String, byte[]> fb = files(b);
        int differing = 0;
        for (String name : fa.keySet()) {
            if (name.endsWith(".jpg") && !java.util.Arrays.equals(fa.get(name), fb.get(name))) {
                differing++;
            }
        }
        assertEquals(14, differing);
    }

    @Test
    void readerLoadsTheGeneratedDevkitWithConsistentCountsAndBoxes() throws IOException {
        SyntheticVoc.Result r = SyntheticVoc.generate(tmp, SMALL, false, null);
        VocDataset trainval = VocDataset.open(tmp, "trainval");
        VocDataset test = VocDataset.open(tmp, "2007:test");
        VocDataset train = VocDataset.open(tmp.resolve("VOC2007"), "train");
        VocDataset val = VocDataset.open(tmp, "val");
        assertEquals(10, trainval.size());
        assertEquals(4, test.size());
        assertEquals(8, train.size());
        assertEquals(2, val.size());
        assertEquals(r.objects(), trainval.objectCount() + test.objectCount());
        assertTrue(r.objects() >= 14, "1-6 objects per image, few dropped: " + r.objects());

        Set<Integer> classesSeen = new HashSet<>();
        int difficult = 0;
        int truncated = 0;
        for (VocDataset ds : List.of(trainval, test)) {
            assertTrue(ds.badSamples().isEmpty());
            for (int i = 0; i < ds.size(); i++) {
                VocSample s = ds.sample(i);
                VocAnnotation a = s.annotation();
                // sizes vary 0.75-1.25 x around --size, independently per axis
                assertTrue(a.width() >= 72 && a.width() <= 120 && a.height() >= 72 && a.height() <= 120);
                assertTrue(s.objects().size() <= 6);
                for (VocObject o : s.objects()) {
                    assertTrue(o.x1() >= 1 && o.y1() >= 1 && o.x2() <= a.width() && o.y2() <= a.height()
                            && o.x2() > o.x1() && o.y2() > o.y1(), o.toString());
                    classesSeen.add(o.classId());
                    difficult += o.difficult() ? 1 : 0;
                    truncated += o.truncated() ? 1 : 0;
                }
                try (Mat image = ds.readImage(i)) {
                    assertEquals(a.width(), image.cols());
                    assertEquals(a.height(), image.rows());
                }
            }
        }
        assertEquals(r.difficult(), difficult);
        assertEquals(r.truncated(), truncated);
        assertTrue(classesSeen.size() >= 8, "classes seen " + classesSeen);
    }

    @Test
    void perClassListsAgreeWithTheAnnotations() throws IOException {
        SyntheticVoc.generate(tmp, SMALL, false, null);
        VocDataset test = VocDataset.open(tmp, "test");
        Path main = tmp.resolve("VOC2007/ImageSets/Main");
        for (int c = 0; c < VocClasses.VOC.size(); c++) {
            List<String> lines = Files.readAllLines(main.resolve(VocClasses.VOC.name(c) + "_test.txt"));
            assertEquals(test.size(), lines.size());
            for (int i = 0; i < test.size(); i++) {
                VocSample s = test.sample(i);
                String[] parts = lines.get(i).trim().split("\\s+");
                assertEquals(s.imageId(), parts[0]);
                int expected = -1;
                for (VocObject o : s.objects()) {
                    if (o.classId() == c) {
                        expected = Math.max(expected, o.difficult() ? 0 : 1);
                    }
                }
                assertEquals(expected, Integer.parseInt(parts[1]), lines.get(i));
            }
        }
    }

    @Test
    void generatesOcclusionTruncationAndDifficultObjectsAtScale() {
        // Statistics over 150 rendered scenes (no files): every property the brief asks for actually occurs.
        int objects = 0;
        int difficult = 0;
        int truncated = 0;
        int overlapping = 0;
        Set<Integer> classes = new HashSet<>();
        Set<String> sizes = new HashSet<>();
        for (int i = 0; i < 150; i++) {
            SyntheticScene.Scene s = SyntheticScene.render(SyntheticVoc.imageSeed(3, i), 64, VocClasses.VOC);
            sizes.add(s.width() + "x" + s.height());
            List<VocObject> os = s.objects();
            for (int a = 0; a < os.size(); a++) {
                VocObject o = os.get(a);
                objects++;
                classes.add(o.classId());
                difficult += o.difficult() ? 1 : 0;
                truncated += o.truncated() ? 1 : 0;
                for (int b = a + 1; b < os.size(); b++) {
                    VocObject p = os.get(b);
                    if (o.x1() < p.x2() && p.x1() < o.x2() && o.y1() < p.y2() && p.y1() < o.y2()) {
                        overlapping++;
                    }
                }
            }
        }
        assertEquals(20, classes.size());
        assertTrue(difficult > 0 && difficult < objects / 3, difficult + " of " + objects);
        assertTrue(truncated > 0 && truncated < objects / 2, truncated + " of " + objects);
        assertTrue(overlapping > 0);
        assertTrue(sizes.size() > 30, "image sizes vary: " + sizes.size());
    }

    @Test
    void refusesNonEmptyFolderWithoutForceAndForceDeletesOnlyItsOwnFiles() throws IOException {
        Files.writeString(tmp.resolve("notes.txt"), "keep me");
        BadInputException e = assertThrows(BadInputException.class,
                () -> SyntheticVoc.generate(tmp, SMALL, false, null));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        // --force with no VOC2007 yet: written beside the user's file
        SyntheticVoc.generate(tmp, SMALL, true, null);
        Files.writeString(tmp.resolve("VOC2007/JPEGImages/mine.jpg"), "user data");
        SyntheticVoc.generate(tmp, SMALL.withCounts(3, 1), true, null);
        assertEquals("keep me", Files.readString(tmp.resolve("notes.txt")));
        assertEquals("user data", Files.readString(tmp.resolve("VOC2007/JPEGImages/mine.jpg")));
        // the previous run's images 000005..000014 are gone, the new 4 are there
        try (Stream<Path> s = Files.list(tmp.resolve("VOC2007/Annotations"))) {
            assertEquals(4, s.count());
        }
        assertEquals(4, VocDataset.open(tmp, "trainval+test").size());
    }

    @Test
    void forceRefusesToDeleteAVoc2007ItDidNotWrite() throws IOException {
        Files.createDirectories(tmp.resolve("VOC2007/Annotations"));
        Files.writeString(tmp.resolve("VOC2007/Annotations/000001.xml"), "<annotation/>");
        BadInputException e = assertThrows(BadInputException.class,
                () -> SyntheticVoc.generate(tmp, SMALL, true, null));
        assertTrue(e.getMessage().contains("not written by synth-voc"), e.getMessage());
        assertTrue(Files.exists(tmp.resolve("VOC2007/Annotations/000001.xml")));
    }

    @Test
    void ensureGeneratesOnceAndThenReusesTheSameDataset() throws IOException {
        Path dir = tmp.resolve("default");
        SyntheticVoc.ensure(dir, SMALL);
        long modified = Files.getLastModifiedTime(dir.resolve("VOC2007/JPEGImages/000001.jpg")).toMillis();
        SyntheticVoc.ensure(dir, SMALL);
        assertEquals(modified, Files.getLastModifiedTime(dir.resolve("VOC2007/JPEGImages/000001.jpg")).toMillis());
        assertThrows(BadInputException.class, () -> SyntheticVoc.ensure(dir, SMALL.withSeed(99)));
        assertTrue(Files.readString(dir.resolve("VOC2007/synth-voc.json")).contains("\"complete\" : true"));
    }

    @Test
    void progressCallbackRunsOncePerImage() throws IOException {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        SyntheticVoc.generate(tmp, SMALL, false, n::incrementAndGet);
        assertEquals(14, n.get());
        try (Stream<Path> s = Files.walk(tmp)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void everyClassHasItsOwnStyle() {
        Set<String> styles = new HashSet<>();
        for (SyntheticAppearance.Style s : SyntheticAppearance.STYLES) {
            assertTrue(styles.add(s.shape() + "/" + s.texture() + "/" + s.colorA()), "duplicate style " + s);
        }
        assertEquals(VocClasses.VOC.size(), SyntheticAppearance.STYLES.length);
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }
}
