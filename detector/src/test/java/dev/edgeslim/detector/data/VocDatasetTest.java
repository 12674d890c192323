package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocDatasetTest {
    @TempDir
    Path tmp;

    private Path devkit() {
        return tmp.resolve("VOCdevkit");
    }

    private BadInputException refused(String id, String xml) throws IOException {
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.image(id + ".jpg", 40, 30).annotation(id, xml).list("trainval", id);
        return assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "trainval"));
    }

    @Test
    void readsYearsSplitsObjectsAndDifficultFlags() throws IOException {
        VocFixture y7 = new VocFixture(devkit(), "VOC2007");
        y7.sample("000001", 60, 40, "dog", 1, 1, 60, 40).sample("000002", 50, 50, "person", 10, 5, 20, 45)
                .image("000003.jpg", 30, 30)
                .annotation("000003", VocFixture.xml("000003.jpg", 30, 30, VocFixture.object("cat", 2, 3, 10, 12, true),
                        VocFixture.object("tvmonitor", 5.5, 6, 29.5, 30, false)))
                .list("trainval", "000001", "000002").list("test", "000003  1");
        VocFixture y12 = new VocFixture(devkit(), "VOC2012");
        y12.sample("2008_000001", 40, 40, "bus", 3, 3, 30, 30).list("trainval", "2008_000001");

        assertEquals(3, VocDataset.open(devkit(), "2007:trainval+2012:trainval").size());
        assertEquals(3, VocDataset.open(devkit(), null).size()); // trainval of every year
        assertEquals(1, VocDataset.open(devkit(), "VOC2012:trainval").size());
        assertEquals(2, VocDataset.open(devkit().resolve("VOC2007"), "trainval").size()); // a year folder itself
        assertEquals(2, VocDataset.open(tmp, "2007:trainval").size()); // a folder holding VOCdevkit/

        VocDataset test = VocDataset.open(devkit(), "test"); // only VOC2007 has test
        assertEquals(1, test.size());
        VocSample s = test.sample(0);
        assertEquals("VOC2007/000003", s.key());
        assertEquals(2, s.objects().size());
        VocObject cat = s.objects().get(0);
        assertEquals(VocClasses.VOC.indexOf("cat"), cat.classId());
        assertTrue(cat.difficult());
        assertEquals(1, cat.left()); // 1-based VOC 2 -> continuous left edge 1
        assertEquals(10, cat.right());
        assertEquals(5.5, s.objects().get(1).x1());
        assertTrue(s.imagePath().endsWith("000003.jpg"));
        try (LabeledImage li = test.load(0)) {
            assertEquals(30, li.width());
            assertEquals(2, li.boxes().size());
        }
        BadInputException e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "2012:test"));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "2010:trainval"));
        assertTrue(e.getMessage().contains("no year folder VOC2010"), e.getMessage());
    }

    @Test
    void subsetsAreEvenlySpacedAndSplitsCanBeProbed() throws IOException {
        VocFixture y12 = new VocFixture(devkit(), "VOC2012");
        String[] ids = new String[10];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = String.format("2008_%06d", i);
            y12.sample(ids[i], 20, 20, "bus", 2, 2, 10, 10);
        }
        y12.list("val", ids);
        VocDataset val = VocDataset.open(devkit(), "val");
        VocDataset four = val.subset(4);
        assertEquals(4, four.size());
        assertEquals(List.of("2008_000000", "2008_000002", "2008_000005", "2008_000007"),
                four.samples().stream().map(VocSample::imageId).toList());
        assertEquals("val", four.splitSpec());
        assertTrue(val.subset(10) == val && val.subset(99) == val);
        assertThrows(IllegalArgumentException.class, () -> val.subset(0));
        assertTrue(VocDataset.hasSplit(devkit(), "val"));
        assertFalse(VocDataset.hasSplit(devkit(), "test")); // a VOC2012-only devkit
        assertFalse(VocDataset.hasSplit(tmp.resolve("nowhere"), "val"));
    }

    @Test
    void externalEntityIsRefusedAndTheFileNeverAppears() throws IOException {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT-42");
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE annotation [<!ENTITY xxe SYSTEM \"" + secret.toUri()
                + "\">]>\n" + VocFixture.xml("000001.jpg", 40, 30, VocFixture.object("&xxe;", 1, 1, 10, 10, false));
        BadInputException e = refused("000001", xml);
        assertTrue(e.getMessage().contains("000001.xml"), e.getMessage());
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertFalse(e.getMessage().contains("TOP-SECRET"), e.getMessage());
        // with skipBad the sample is skipped and the reason does not leak the file either
        new VocFixture(devkit(), "VOC2007").sample("000002", 40, 30, "dog", 1, 1, 10, 10).list("trainval", "000001",
                "000002");
        VocDataset ds = VocDataset.open(devkit(), "trainval", VocDataset.Options.defaults().withSkipBad(true));
        assertEquals(1, ds.size());
        assertEquals(1, ds.badSamples().size());
        assertFalse(ds.badSamples().get(0).toString().contains("TOP-SECRET"));
    }

    @Test
    void externalDtdIsRefusedWithoutFetching() throws IOException {
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE annotation SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n"
                + VocFixture.xml("000001.jpg", 40, 30, VocFixture.object("dog", 1, 1, 10, 10, false));
        long start = System.nanoTime();
        BadInputException e = refused("000001", xml);
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertTrue((System.nanoTime() - start) / 1e9 < 5);
    }

    @Test
    void billionLaughsIsRefusedFast() throws IOException {
        StringBuilder dtd = new StringBuilder("<!ENTITY lol0 \"lol\">\n");
        for (int i = 1; i <= 9; i++) {
            String prev = "&lol" + (i - 1) + ";";
            dtd.append("<!ENTITY lol").append(i).append(" \"").append(prev.repeat(10)).append("\">\n");
        }
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE annotation [\n" + dtd + "]>\n"
                + VocFixture.xml("&lol9;", 40, 30, VocFixture.object("dog", 1, 1, 10, 10, false));
        long start = System.nanoTime();
        BadInputException e = refused("000001", xml);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 2, "took " + seconds + " s");
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    @Test
    void malformedXmlNamesFileAndLine() throws IOException {
        BadInputException e = refused("000001", "<annotation>\n<size><width>4</width>\n</annotation>");
        assertTrue(e.getMessage().startsWith(devkit().toRealPath().resolve("VOC2007/Annotations/000001.xml")
                + ":3: malformed XML"), e.getMessage());
    }

    @Test
    void hugeOrZeroSizeIsRefused() throws IOException {
        BadInputException e = refused("000002", VocFixture.xml("000002.jpg", 100000, 100000));
        assertTrue(e.getMessage().contains("exceeds the 50000000-pixel limit"), e.getMessage());
        e = refused("000003", VocFixture.xml("000003.jpg", 40, 0));
        assertTrue(e.getMessage().contains("<height> '0' is not a positive whole number"), e.getMessage());
    }

    @Test
    void badBoxesAreRefused() throws IOException {
        BadInputException e = refused("000003", VocFixture.xml("000003.jpg", 40, 30, VocFixture.object("dog", "1", "abc", 10, 10,
                false)));
        assertTrue(e.getMessage().contains("<ymin> 'abc' is not a number"), e.getMessage());
        e = refused("000004", VocFixture.xml("000004.jpg", 40, 30, VocFixture.object("dog", "1", "NaN", 10, 10,
                false)));
        assertTrue(e.getMessage().contains("not a finite number"), e.getMessage());
    }

    @Test
    void unknownClassIsRefusedUnlessInACustomClassList() throws IOException {
        BadInputException e = refused("000001", VocFixture.xml("000001.jpg", 40, 30,
                VocFixture.object("unicorn", 1, 1, 10, 10, false)));
        assertTrue(e.getMessage().contains("object 1 ('unicorn'): unknown class name"), e.getMessage());
        Path names = tmp.resolve("my.names");
        Files.writeString(names, "horse\n  unicorn \n\n");
        VocClasses custom = VocClasses.load(names);
        assertEquals(List.of("horse", "unicorn"), custom.names());
        VocDataset ds = VocDataset.open(devkit(), "trainval", VocDataset.Options.defaults().withClasses(custom));
        assertEquals(1, ds.sample(0).objects().get(0).classId());
        Files.writeString(names, "horse\nhorse\n");
        e = assertThrows(BadInputException.class, () -> VocClasses.load(names));
        assertTrue(e.getMessage().contains(":2: class 'horse' repeats line 1"), e.getMessage());
        Files.writeString(names, "horse\n\nunicorn\n");
        e = assertThrows(BadInputException.class, () -> VocClasses.load(names));
        assertTrue(e.getMessage().contains("my.names:2: blank class name"), e.getMessage());
    }

    @Test
    void missingImageAndMissingAnnotationAreReported() throws IOException {
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.annotation("000001", VocFixture.xml("000001.jpg", 40, 30)).list("trainval", "000001");
        BadInputException e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "trainval"));
        assertTrue(e.getMessage().contains("000001.xml: image file missing: none of JPEGImages/000001.jpg"),
                e.getMessage());
        f.list("trainval", "000009");
        e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "trainval"));
        assertTrue(e.getMessage().contains("trainval.txt:1: no annotation Annotations/000009.xml"), e.getMessage());
    }

    @Test
    void truncatedJpegIsAClearErrorWhenLoadedOrSkippedAndCounted() throws IOException {
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.sample("000001", 64, 48, "dog", 1, 1, 30, 30).sample("000002", 64, 48, "cat", 1, 1, 30, 30)
                .list("trainval", "000001", "000002");
        Path jpg = f.year.resolve("JPEGImages/000001.jpg");
        byte[] full = Files.readAllBytes(jpg);
        // opened while whole, cut afterwards: the image is found broken only when loaded
        VocDataset strict = VocDataset.open(devkit(), "trainval");
        VocDataset lenient = VocDataset.open(devkit(), "trainval", VocDataset.Options.defaults().withSkipBad(true));
        Files.write(jpg, Arrays.copyOf(full, full.length * 2 / 3));
        BadInputException e = assertThrows(BadInputException.class, () -> strict.load(0));
        assertTrue(e.getMessage().contains("000001.jpg: truncated JPEG"), e.getMessage());
        // opened when already cut: found at open, before any training step
        e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "trainval"));
        assertTrue(e.getMessage().contains("000001.jpg: truncated JPEG"), e.getMessage());
        assertEquals(1, VocDataset.open(devkit(), "trainval", VocDataset.Options.defaults().withSkipBad(true)).size());

        try (LabeledImage li = lenient.load(0)) {
            assertEquals("VOC2007/000002", li.id()); // the next loadable sample stands in
            assertEquals(1, li.index());
        }
        try (LabeledImage li = lenient.load(0)) {
            assertEquals(1, li.index());
        }
        assertEquals(1, lenient.badSamples().size()); // counted once
        assertTrue(lenient.badSamples().get(0).reason().startsWith("truncated JPEG"));
        assertTrue(lenient.summary().contains("1 bad sample skipped"), lenient.summary());
    }

    /**
     * Annotations as labelImg, CVAT and Roboflow write them: read as the devkit and darknet would, corrected where the
     * image says otherwise, and every correction counted in the summary before any training starts.
     */
    @Test
    void realWorldAnnotationsAreReadAndTheirCorrectionsCounted() throws IOException {
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        // <size> disagrees with the image (the image wins); <filename> names another file (the id wins)
        f.image("000001.jpg", 64, 48).annotation("000001", VocFixture.xml("IMG_4711.JPG", 48, 64,
                VocFixture.object("dog", "2.5", "3.25", "20.75", "30", false)));
        // no <size>, no <difficult>/<truncated>, a PNG image, a box over the border and a zero-area box
        Files.write(f.year.resolve("JPEGImages/000002.png"), png(40, 30));
        f.annotation("000002", "<annotation><filename>000002.png</filename><object><name>cat</name><bndbox>"
                + "<xmin>30</xmin><ymin>-3</ymin><xmax>55</xmax><ymax>20</ymax></bndbox></object>"
                + "<object><name>cat</name><bndbox><xmin>179</xmin><ymin>5</ymin><xmax>179</xmax><ymax>5</ymax>"
                + "</bndbox></object><object><name>dog</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>5</xmax>"
                + "<ymax>9</ymax></bndbox></object></annotation>");
        f.list("trainval", "000001", "000002");
        VocDataset ds = VocDataset.open(devkit(), "trainval");
        assertEquals(2, ds.size());
        VocAnnotation a = ds.sample(0).annotation();
        assertEquals(List.of(64, 48), List.of(a.width(), a.height()));
        assertTrue(a.imagePath().endsWith("000001.jpg"));
        VocObject dog = a.objects().get(0);
        assertEquals(List.of(2.5, 3.25, 20.75, 30.0), List.of(dog.x1(), dog.y1(), dog.x2(), dog.y2()));
        VocAnnotation b = ds.sample(1).annotation();
        assertEquals(List.of(40, 30), List.of(b.width(), b.height()));
        assertEquals(1, b.objects().size());
        VocObject cat = b.objects().get(0);
        assertEquals(List.of(30.0, 1.0, 40.0, 20.0), List.of(cat.x1(), cat.y1(), cat.x2(), cat.y2()));
        assertTrue(!cat.difficult() && !cat.truncated());
        assertEquals(2, ds.zeroAreaSkipped());
        assertEquals(1, ds.boxesClipped());
        assertEquals(2, ds.sizesCorrected());
        assertTrue(ds.summary().contains("2 zero-area boxes skipped, 1 box clipped at the border, 2 annotation "
                + "sizes taken from the image"), ds.summary());
        try (var image = ds.readImage(1)) {
            assertEquals(40, image.cols());
        }
    }

    private static byte[] png(int w, int h) {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Test
    void idsThatLeaveTheDatasetAreRefused() throws IOException {
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.sample("000001", 40, 30, "dog", 1, 1, 10, 10);
        Files.createDirectories(tmp.resolve("outside/Annotations"));
        for (String id : List.of("../../outside/x", "/etc/passwd", "..", "a\\b")) {
            f.list("trainval", "000001", id);
            BadInputException e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "trainval"),
                    id);
            assertTrue(e.getMessage().contains("trainval.txt:2: image id"), e.getMessage());
        }
        f.list("trainval", "000001", "../x", "/abs");
        VocDataset ds = VocDataset.open(devkit(), "trainval", VocDataset.Options.defaults().withSkipBad(true));
        assertEquals(1, ds.size());
        assertEquals(2, ds.badSamples().size());
        assertTrue(ds.badSamples().get(1).reason().contains("absolute path"), ds.badSamples().toString());

        f.image("000002.jpg", 40, 30).annotation("000002", VocFixture.xml("../../secret.jpg", 40, 30))
                .list("trainval", "000002");
        BadInputException e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "trainval"));
        assertTrue(e.getMessage().contains("000002.xml: <filename> '../../secret.jpg' contains a path separator"),
                e.getMessage());
        e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "../etc:trainval"));
        assertTrue(e.getMessage().contains("no year folder"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "2007:../../x"));
        assertTrue(e.getMessage().contains("split name"), e.getMessage());
    }

    @Test
    void symlinksOutOfTheRootAreRefused() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("private.jpg"), VocFixture.jpeg(40, 30));
        Files.writeString(outside.resolve("private.xml"), VocFixture.xml("000001.jpg", 40, 30));
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.annotation("000001", VocFixture.xml("000001.jpg", 40, 30)).list("trainval", "000001");
        Files.createSymbolicLink(f.year.resolve("JPEGImages/000001.jpg"), outside.resolve("private.jpg"));
        BadInputException e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "trainval"));
        assertTrue(e.getMessage().contains("outside the dataset root"), e.getMessage());
        assertTrue(e.getMessage().contains("000001.xml"), e.getMessage());

        Files.createSymbolicLink(f.year.resolve("Annotations/000002.xml"), outside.resolve("private.xml"));
        f.image("000002.jpg", 40, 30).list("trainval", "000002");
        e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), "trainval"));
        assertTrue(e.getMessage().contains("annotation") && e.getMessage().contains("outside the dataset root"),
                e.getMessage());

        // a link that stays inside the root is fine
        Files.delete(f.year.resolve("Annotations/000002.xml"));
        Files.writeString(f.year.resolve("Annotations/real.xml"), VocFixture.xml("000002.jpg", 40, 30));
        Files.createSymbolicLink(f.year.resolve("Annotations/000002.xml"), f.year.resolve("Annotations/real.xml"));
        assertEquals(1, VocDataset.open(devkit(), "trainval").size());
    }

    @Test
    void oversizedAnnotationIsRefusedBeforeParsing() throws IOException {
        String xml = VocFixture.xml("000001.jpg", 40, 30) + " ".repeat((int) DataLimits.MAX_ANNOTATION_BYTES);
        BadInputException e = refused("000001", xml);
        assertTrue(e.getMessage().contains("over the 1048576-byte limit"), e.getMessage());
    }

    @Test
    void tooManyObjectsIsRefused() throws IOException {
        // The count is checked before any object is read, so empty elements are enough to trip it.
        String xml = VocFixture.xml("000001.jpg", 40, 30, "<object/>".repeat(DataLimits.MAX_OBJECTS + 1));
        BadInputException e = refused("000001", xml);
        assertTrue(e.getMessage().contains("10001 objects, over the 10000-object limit"), e.getMessage());
    }

    @Test
    void skipBadCountsEveryBadSampleAndKeepsTheGoodOnes() throws IOException {
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.sample("000001", 40, 30, "dog", 1, 1, 10, 10).sample("000002", 40, 30, "cat", 1, 1, 50, 10)
                .sample("000003", 40, 30, "nonsense", 1, 1, 10, 10).sample("000004", 40, 30, "cow", 2, 2, 39, 29)
                .annotation("000005", "not xml at all").list("trainval", "000001", "000002", "000003", "000004",
                        "000005", "000006");
        VocDataset ds = VocDataset.open(devkit(), "trainval", VocDataset.Options.defaults().withSkipBad(true));
        assertEquals(3, ds.size()); // 000002's box over the border is clipped, not bad
        assertEquals(1, ds.boxesClipped());
        List<BadSample> bad = ds.badSamples();
        assertEquals(3, bad.size(), bad.toString());
        assertTrue(bad.get(0).reason().contains("unknown class"));
        assertTrue(bad.get(1).reason().contains("malformed XML"));
        assertTrue(bad.get(2).file().endsWith("trainval.txt"));
    }

    @Test
    void notADatasetIsAClearError() {
        BadInputException e = assertThrows(BadInputException.class, () -> VocDataset.open(tmp, "trainval"));
        assertTrue(e.getMessage().contains("not a VOC dataset"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> VocDataset.open(tmp.resolve("nope"), "trainval"));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
