package dev.edgeslim.detector.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Writes small hand-made VOC year folders for reader tests. */
final class VocFixture {
    final Path year;

    VocFixture(Path devkit, String yearFolder) throws IOException {
        this.year = devkit.resolve(yearFolder);
        Files.createDirectories(year.resolve("Annotations"));
        Files.createDirectories(year.resolve("JPEGImages"));
        Files.createDirectories(year.resolve("ImageSets/Main"));
    }

    /** A valid sample: a w x h JPEG and an annotation with one object of {@code cls} at the given VOC box. */
    VocFixture sample(String id, int w, int h, String cls, int x1, int y1, int x2, int y2) throws IOException {
        image(id + ".jpg", w, h);
        return annotation(id, xml(id + ".jpg", w, h, object(cls, x1, y1, x2, y2, false)));
    }

    VocFixture image(String name, int w, int h) throws IOException {
        Files.write(year.resolve("JPEGImages").resolve(name), jpeg(w, h));
        return this;
    }

    static byte[] jpeg(int w, int h) {
        byte[] bgr = new byte[w * h * 3];
        for (int i = 0; i < bgr.length; i++) {
            bgr[i] = (byte) (i * 7 % 251);
        }
        return SyntheticVoc.encodeJpeg(bgr, w, h);
    }

    VocFixture annotation(String id, String xml) throws IOException {
        Files.writeString(year.resolve("Annotations").resolve(id + ".xml"), xml);
        return this;
    }

    VocFixture list(String split, String... ids) throws IOException {
        Files.writeString(year.resolve("ImageSets/Main").resolve(split + ".txt"),
                String.join("\n", Arrays.asList(ids)) + "\n");
        return this;
    }

    static String xml(String filename, int w, int h, String... objects) {
        return "<annotation>\n<folder>VOC2007</folder>\n<filename>" + filename + "</filename>\n"
                + "<size><width>" + w + "</width><height>" + h + "</height><depth>3</depth></size>\n"
                + String.join("", objects) + "</annotation>\n";
    }

    static String object(String cls, Object x1, Object y1, Object x2, Object y2, boolean difficult) {
        return "<object><name>" + cls + "</name><pose>Left</pose><truncated>0</truncated><difficult>"
                + (difficult ? 1 : 0) + "</difficult><bndbox><xmin>" + x1 + "</xmin><ymin>" + y1 + "</ymin><xmax>" + x2
                + "</xmax><ymax>" + y2 + "</ymax></bndbox>"
                + "<part><name>head</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></part>"
                + "</object>\n";
    }
}
