package dev.edgeslim.detector.data;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.edgeslim.detector.fuzz.FuzzFiles;
import dev.edgeslim.detector.fuzz.InputContract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes ImageSets lists and split specs on a small fixed VOCdevkit whose neighbourhood holds bait: a readable
 * annotation and image outside the dataset, and symlinks inside it that point there. Whatever the list says, a
 * sample is either refused or its annotation and image really lie under the dataset root.
 * Fuzzing: {@code .ci/fuzz 2m ImageSetsFuzzTest#openSplit}.
 */
class ImageSetsFuzzTest {
    private static Path devkit;
    private static Path realRoot;

    private static synchronized Path devkit() {
        if (devkit == null) {
            try {
                Path base = FuzzFiles.emptyFolder("imagesets");
                Path outside = Files.createDirectories(base.resolve("outside"));
                Files.write(outside.resolve("secret.jpg"), VocFixture.jpeg(40, 30));
                Files.writeString(outside.resolve("secret.xml"), VocFixture.xml("secret.jpg", 40, 30));
                devkit = Files.createDirectories(base.resolve("VOCdevkit"));
                VocFixture f = new VocFixture(devkit, "VOC2007");
                f.sample("000001", 40, 30, "dog", 1, 1, 10, 10).sample("000002", 40, 30, "cat", 2, 2, 39, 29)
                        .list("trainval", "000001", "000002");
                Files.createSymbolicLink(f.year.resolve("Annotations/link.xml"), outside.resolve("secret.xml"));
                Files.createSymbolicLink(f.year.resolve("JPEGImages/link.jpg"), outside.resolve("secret.jpg"));
                Files.writeString(f.year.resolve("Annotations/linkimg.xml"), VocFixture.xml("link.jpg", 40, 30));
                Files.createSymbolicLink(f.year.resolve("ImageSets/Main/outside.txt"), outside.resolve("secret.xml"));
                realRoot = devkit.toRealPath();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return devkit;
    }

    /**
     * Input: one byte choosing the split spec (the fuzz list, or a fuzzed spec string), a skip-bad flag, then the
     * list's bytes.
     */
    @FuzzTest(maxDuration = "3m")
    void openSplit(FuzzedDataProvider data) throws Exception {
        Path root = devkit();
        int mode = data.consumeInt(0, 3);
        boolean skipBad = data.consumeBoolean();
        String spec = switch (mode) {
            case 0 -> "fuzz";
            case 1 -> "2007:fuzz";
            case 2 -> "fuzz+2007:trainval";
            default -> data.consumeString(40);
        };
        byte[] list = data.consumeRemainingAsBytes();
        Files.write(root.resolve("VOC2007/ImageSets/Main/fuzz.txt"), list);
        VocDataset ds = InputContract.valueOrRefusal(null, () -> VocDataset.open(root, spec,
                VocDataset.Options.defaults().withSkipBad(skipBad)));
        if (ds == null) {
            return;
        }
        for (VocSample s : ds.samples()) {
            assertNull(SafePaths.problemWithName(s.imageId()), "image id " + s.imageId());
            assertTrue(s.imagePath().toRealPath().startsWith(realRoot), "image outside: " + s.imagePath());
            assertTrue(s.annotationFile().toRealPath().startsWith(realRoot), "annotation outside: "
                    + s.annotationFile());
        }
        for (BadSample b : ds.badSamples()) {
            assertTrue(!b.reason().isBlank() && b.reason().indexOf('\n') < 0, "bad-sample reason: " + b);
        }
        String text = new String(list, StandardCharsets.UTF_8);
        assertTrue(ds.size() <= 2 + text.lines().count(), "samples come from the lists");
    }
}
