package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.detector.data.VocDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynthVocCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        outBytes.reset();
        errBytes.reset();
        try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            List<String> all = new ArrayList<>(List.of("synth-voc"));
            all.addAll(List.of(args));
            return new EdgeSlim().run(all, out, err);
        }
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesASmallDatasetWithAProgressBarAndRefusesToOverwriteWithoutForce() throws Exception {
        Path dir = tmp.resolve("voc");
        assertEquals(0, run("--out", dir.toString(), "--train", "5", "--test", "2", "--size", "64", "--seed", "3"));
        assertTrue(out().startsWith("wrote 7 images (5 trainval, 2 test)"), out());
        assertTrue(err().contains("synth-voc"), "progress bar on stderr: " + err());
        assertEquals(5, VocDataset.open(dir, "trainval").size());
        assertEquals(2, VocDataset.open(dir, "test").size());
        byte[] first = Files.readAllBytes(dir.resolve("VOC2007/JPEGImages/000001.jpg"));

        assertEquals(2, run("--out", dir.toString(), "--train", "5", "--test", "2", "--size", "64", "--quiet"));
        assertTrue(err().contains("not empty") && err().contains("--force"), err());

        assertEquals(0, run("--out", dir.toString(), "--train", "5", "--test", "2", "--size", "64", "--seed", "3",
                "--force", "--quiet"));
        assertEquals("", err());
        assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(dir.resolve("VOC2007/JPEGImages/000001.jpg"))));
    }

    @Test
    void jsonSummary() throws Exception {
        Path dir = tmp.resolve("voc");
        assertEquals(0, run("--out", dir.toString(), "--train", "3", "--test", "1", "--size", "48", "--quiet",
                "--json"));
        JsonNode n = Json.MAPPER.readTree(out());
        assertEquals(4, n.get("images").asInt());
        assertEquals(3, n.get("trainImages").asInt());
        assertEquals(48, n.get("size").asInt());
        assertTrue(n.get("objects").asInt() >= 1);
        assertTrue(n.get("imagesPerSecond").asDouble() > 0);
        assertEquals(dir.resolve("VOC2007").toString(), n.get("yearFolder").asText());
    }

    @Test
    void helpAndUsageErrors() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("--out") && out().contains("--train") && out().contains("--force"), out());
        assertEquals(1, run("--train", "5"));
        assertTrue(err().contains("missing --out"), err());
        assertEquals(1, run("--out", tmp.toString(), "--size", "8"));
        assertTrue(err().contains("--size must be within 32..4096"), err());
        assertEquals(1, run("--out", tmp.toString(), "--train", "0", "--test", "0"));
        assertEquals(1, run("--out", tmp.toString(), "--seed", "x"));
        assertEquals(1, run("--out", tmp.toString(), "--bogus"));
    }

    @Test
    void isListedInTheCommandList() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            assertEquals(0, new EdgeSlim().run(List.of("--help"), out, out));
        }
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("synth-voc"));
    }
}
