package dev.edgeslim.detector.data;

import dev.edgeslim.detector.io.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dataset cannot make EdgeSlim read outside its folder, whichever way it tries (docs/reliability.md). Besides
 * {@link VocDatasetTest#idsThatLeaveTheDatasetAreRefused} ({@code ../}, absolute and backslash ids, {@code ..} in
 * file names and split specs) and {@link VocDatasetTest#symlinksOutOfTheRootAreRefused} (an image or an annotation
 * linked outside): an absolute or drive-letter file name, a linked ImageSets list, a linked JPEGImages folder, a
 * linked year folder, and the list size limit. Next to the dataset lies a readable "secret" each attack aims at.
 */
class DatasetEscapeTest {
    @TempDir
    Path tmp;

    private Path devkit() {
        return tmp.resolve("VOCdevkit");
    }

    /** A readable image + annotation outside the dataset: what every attack below aims at. */
    private Path secret() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.write(outside.resolve("secret.jpg"), VocFixture.jpeg(40, 30));
        Files.writeString(outside.resolve("secret.xml"), VocFixture.xml("secret.jpg", 40, 30,
                VocFixture.object("dog", 1, 1, 10, 10, false)));
        Files.writeString(outside.resolve("trainval.txt"), "secret\n");
        return outside;
    }

    private BadInputException refused(String split, String... fragments) {
        BadInputException e = assertThrows(BadInputException.class, () -> VocDataset.open(devkit(), split));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing in: " + e.getMessage());
        }
        assertFalse(e.getMessage().contains("\n"));
        return e;
    }

    @Test
    void absoluteAndDriveLetterFileNamesInAnAnnotationAreRefused() throws IOException {
        Path outside = secret();
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.image("000001.jpg", 40, 30);
        for (String name : new String[] {outside.resolve("secret.jpg").toString(), "C:\\secret.jpg", "\\\\host\\x.jpg",
                "..", "JPEGImages/../../outside/secret.jpg"}) {
            f.annotation("000001", VocFixture.xml(name, 40, 30)).list("trainval", "000001");
            refused("trainval", "000001.xml: <filename>");
        }
    }

    @Test
    void aLinkedImageListIsRefused() throws IOException {
        Path outside = secret();
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.sample("000001", 40, 30, "dog", 1, 1, 10, 10);
        Files.createSymbolicLink(f.year.resolve("ImageSets/Main/trainval.txt"), outside.resolve("trainval.txt"));
        refused("trainval", "image list", "outside the dataset root");
    }

    @Test
    void aLinkedImageFolderIsRefused() throws IOException {
        Path outside = secret();
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        Files.delete(f.year.resolve("JPEGImages"));
        Files.createSymbolicLink(f.year.resolve("JPEGImages"), outside);
        f.annotation("secret", VocFixture.xml("secret.jpg", 40, 30)).list("trainval", "secret");
        refused("trainval", "secret.xml", "image", "outside the dataset root");
    }

    @Test
    void aLinkedYearFolderIsRefused() throws IOException {
        Path outside = secret();
        VocFixture elsewhere = new VocFixture(outside, "VOC2007");
        elsewhere.sample("000001", 40, 30, "dog", 1, 1, 10, 10).list("trainval", "000001");
        Files.createDirectories(devkit());
        Files.createSymbolicLink(devkit().resolve("VOC2012"), outside.resolve("VOC2007"));
        refused("trainval", "outside the dataset root");
    }

    @Test
    void aLinkToTheWholeDatasetIsFineAndStaysInside() throws IOException {
        // the root itself may be a link: "inside" is judged against its real path
        VocFixture f = new VocFixture(tmp.resolve("real"), "VOC2007");
        f.sample("000001", 40, 30, "dog", 1, 1, 10, 10).list("trainval", "000001");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("real"));
        VocDataset ds = VocDataset.open(link, "trainval");
        assertEquals(1, ds.size());
        assertTrue(ds.sample(0).imagePath().startsWith(tmp.resolve("real").toRealPath()));
    }

    @Test
    void anImageListOverTheSizeLimitIsNotRead() throws IOException {
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.sample("000001", 40, 30, "dog", 1, 1, 10, 10);
        try (RandomAccessFile big = new RandomAccessFile(f.year.resolve("ImageSets/Main/trainval.txt").toFile(),
                "rw")) {
            big.setLength(DataLimits.MAX_LIST_BYTES + 1);
        }
        refused("trainval", "trainval.txt", "over the 67108864-byte limit", "edgeslim.limit.maxListBytes");
    }

    @Test
    void controlCharactersInIdsAndSplitSpecsStayOutOfTheMessageLine() throws IOException {
        VocFixture f = new VocFixture(devkit(), "VOC2007");
        f.sample("000001", 40, 30, "dog", 1, 1, 10, 10).list("trainval", "000001", "bad\u001b[2Jid");
        BadInputException e = refused("trainval", "trainval.txt:2: image id", "control character");
        assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), e.getMessage());
        e = refused("train\nval\u0007", "split spec", "control character");
        assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), e.getMessage());
    }
}
