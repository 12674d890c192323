package dev.edgeslim.cli;

import dev.edgeslim.compressor.models.PinnedModel;
import dev.edgeslim.detector.data.DatasetFingerprint;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.io.Sha256;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pin-model: a trained run kept with its hashes, data fingerprint and mAP; --check refuses what changed. */
class PinModelCommandTest {
    @TempDir
    static Path dir;
    static Path voc;
    static Path run;

    @BeforeAll
    static void trainTinyModel() throws IOException {
        voc = CompressFixture.voc(dir, 16, 8);
        CompressFixture.Model m = CompressFixture.model(dir, "tiny", 1);
        run = dir.resolve("run");
        CliRunner r = CliRunner.run("train", "--cfg", m.cfg().toString(), "--data", voc.toString(), "--out",
                run.toString(), "--epochs", "1", "--batch", "4", "--threads", "2", "--eval-split", "none", "--quiet");
        assertEquals(0, r.code(), r.err());
    }

    private static CliRunner pin(Path out, String... extra) {
        String[] base = {"pin-model", "--run", run.toString(), "--data", voc.toString(), "--out", out.toString(),
                "--name", "tiny", "--command", "edgeslim train --epochs 1", "--epochs", "1", "--threads", "2"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return CliRunner.run(all);
    }

    @Test
    void pinsFilesHashesDataAndMapThenChecksThem() throws IOException {
        Path out = dir.resolve("pinned");
        CliRunner r = pin(out);
        assertEquals(0, r.code(), r.err());
        PinnedModel m = PinnedModel.read(out);
        assertEquals(Sha256.of(run.resolve("final.weights")), m.weights().sha256());
        assertEquals(Sha256.of(out.resolve("model.weights")), m.weights().sha256());
        assertEquals(DatasetFingerprint.of(voc), m.dataset().sha256());
        assertNotNull(m.dataset().synthetic());
        assertEquals(16, m.dataset().synthetic().trainImages());
        assertEquals(8, m.evaluation().images());
        assertEquals("edgeslim train --epochs 1", m.training().command());
        assertTrue(Files.readString(out.resolve("classes.names")).startsWith("aeroplane\n"));

        CliRunner check = CliRunner.run("pin-model", "--check", out.toString(), "--data", voc.toString(),
                "--threads", "2", "--tolerance", "0");
        assertEquals(0, check.code(), check.err());
        assertTrue(check.out().contains("files and data match"), check.out());

        // pinning again into the same folder needs --force
        CliRunner again = pin(out);
        assertEquals(2, again.code());
        assertTrue(again.oneLineError(), again.err());
    }

    @Test
    void checkRefusesChangedWeightsAndOtherData() throws IOException {
        Path out = dir.resolve("pinned-tamper");
        assertEquals(0, pin(out).code());
        Path otherVoc = dir.resolve("other");
        SyntheticVoc.generate(otherVoc, new SyntheticVoc.Options(16, 8, CompressFixture.SIZE, 6, 1), false, null);
        CliRunner wrongData = CliRunner.run("pin-model", "--check", out.toString(), "--data", otherVoc.toString());
        assertEquals(2, wrongData.code());
        assertTrue(wrongData.oneLineError(), wrongData.err());
        assertTrue(wrongData.err().contains("synthetic data generator changed"), wrongData.err());

        Files.write(out.resolve("model.weights"), new byte[]{1}, StandardOpenOption.APPEND);
        CliRunner tampered = CliRunner.run("pin-model", "--check", out.toString(), "--data", voc.toString());
        assertEquals(2, tampered.code());
        assertTrue(tampered.oneLineError(), tampered.err());
        assertTrue(tampered.err().contains("model.weights") && tampered.err().contains("changed since it was pinned"),
                tampered.err());
    }

    @Test
    void fingerprintIgnoresTheManifestButNotAnAnnotation() throws IOException {
        Path copy = dir.resolve("fp");
        SyntheticVoc.generate(copy, new SyntheticVoc.Options(4, 2, CompressFixture.SIZE, 9, 2), false, null);
        String before = DatasetFingerprint.of(copy);
        Path manifest = copy.resolve("VOC2007").resolve(SyntheticVoc.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest) + "\n");
        assertEquals(before, DatasetFingerprint.of(copy));
        Path xml = copy.resolve("VOC2007/Annotations/000001.xml");
        Files.writeString(xml, Files.readString(xml) + " ");
        assertNotEquals(before, DatasetFingerprint.of(copy));
    }

    @Test
    void badInputIsOneLine() {
        CliRunner noRun = CliRunner.run("pin-model", "--run", dir.resolve("nope").toString(), "--data",
                voc.toString(), "--out", dir.resolve("x").toString(), "--name", "n", "--command", "c");
        assertEquals(2, noRun.code());
        assertTrue(noRun.oneLineError(), noRun.err());
        assertTrue(Files.notExists(dir.resolve("x")));
        CliRunner noRecord = CliRunner.run("pin-model", "--check", dir.toString(), "--data", voc.toString());
        assertEquals(2, noRecord.code());
        assertTrue(noRecord.err().contains("model.json"), noRecord.err());
    }
}
