package dev.edgeslim.cli;

import dev.edgeslim.compressor.export.tflite.TfliteMetadata;
import dev.edgeslim.compressor.pipeline.PipelineManifest;
import dev.edgeslim.compressor.prune.GroupFile;
import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.io.BadInputException;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compressor's side of docs/reliability.md: raising a limit with a system property (in a child JVM, since
 * limits are read once per JVM), the size limits of the compressor's own inputs, out-of-range numeric flags, the
 * one-line error with {@code --verbose} for the stack trace, and prune's output folder.
 */
class CliInputLimitsTest {
    @TempDir
    Path tmp;

    private static Path sparse(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        return file;
    }

    /** {@code edgeslim ARGS} in a child JVM with extra JVM options; returns exit code and output. */
    private static CliRunner child(List<String> jvm, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvm);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EdgeSlim.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        return new CliRunner(p.exitValue(), out, out);
    }

    @Test
    void aSystemPropertyRaisesALimit() throws Exception {
        Path wide = Files.writeString(tmp.resolve("wide.cfg"),
                "[net]\nwidth=8192\nheight=8\nchannels=3\n[convolutional]\nfilters=1\nsize=1\n");
        CliRunner refused = child(List.of(), "info", wide.toString());
        assertEquals(2, refused.code(), refused.out());
        assertTrue(refused.out().contains("-Dedgeslim.limit.maxInputSide"), refused.out());
        CliRunner raised = child(List.of("-Dedgeslim.limit.maxInputSide=8192"), "info", wide.toString());
        assertEquals(0, raised.code(), raised.out());
        // a value beyond the int range raises the limit to the maximum instead of wrapping around to "refuse all"
        CliRunner huge = child(List.of("-Dedgeslim.limit.maxInputSide=99999999999"), "info", wide.toString());
        assertEquals(0, huge.code(), huge.out());
    }

    @Test
    void compressorInputsOverTheirSizeLimitsAreNotRead() throws IOException {
        Path metadata = sparse(tmp.resolve("m.tflite.json"), TfliteMetadata.MAX_BYTES + 1);
        BadInputException e = assertThrows(BadInputException.class, () -> TfliteMetadata.read(metadata));
        assertTrue(e.getMessage().contains("m.tflite.json") && e.getMessage().contains("more than the limit"));

        Path run = Files.createDirectories(tmp.resolve("run"));
        sparse(run.resolve(PipelineManifest.FILE), (1 << 20) + 1);
        e = assertThrows(BadInputException.class, () -> PipelineManifest.open(run, Map.of(), List.of()));
        assertTrue(e.getMessage().contains("manifest.json") && e.getMessage().contains("larger than"), e.getMessage());

        Path groups = sparse(tmp.resolve("groups.txt"), (1 << 20) + 1);
        NetworkSpec spec = CfgParser.parse(TinyModels.yolo(32, 4), "tiny.cfg");
        e = assertThrows(BadInputException.class, () -> GroupFile.read(groups, spec, GroupOptions.ratio(0.5)));
        assertTrue(e.getMessage().contains("groups.txt") && e.getMessage().contains("larger than 1 MB"));
    }

    @Test
    void numericFlagsOutsideTheirRangeAreUsageErrorsNamingTheFlag() throws IOException {
        Path cfg = Files.writeString(tmp.resolve("tiny.cfg"), TinyModels.yolo(32, 4));
        Path out = tmp.resolve("never");
        String c = cfg.toString();
        String o = out.toString();
        // {the flag the message must name, the command line...}
        String[][] cases = {
                {"--size", "info", c, "--size", "31"},
                {"--size", "info", c, "--size", "2147483648"},
                {"--epochs", "train", "--cfg", c, "--data", "x", "--out", o, "--epochs", "0"},
                {"--batch", "train", "--cfg", c, "--data", "x", "--out", o, "--batch", "100000"},
                {"--lr", "train", "--cfg", c, "--data", "x", "--out", o, "--lr", "NaN"},
                {"--size", "train", "--cfg", c, "--data", "x", "--out", o, "--size", "33"},
                {"--threads", "train", "--cfg", c, "--data", "x", "--out", o, "--threads", "0"},
                {"--seed", "train", "--cfg", c, "--data", "x", "--out", o, "--seed", "-1"},
                {"--calib-images", "export", "--cfg", c, "--weights", "w", "--format", "tflite", "--quant", "int8",
                        "--calib", "dir", "--calib-images", "0", "--out", o},
                {"--percentile", "export", "--cfg", c, "--weights", "w", "--format", "tflite", "--quant", "int8",
                        "--calib", "dir", "--percentile", "50", "--out", o},
                {"--train", "synth-voc", "--out", o, "--train", "-5"},
                {"--size", "synth-voc", "--out", o, "--size", "5000"},
                {"--conf", "detect", "--cfg", c, "--weights", "w", "--image", "i", "--conf", "1.5"},
                {"--runs", "bench", "latency", "--cfg", c, "--runs", "0"},
                {"--classes", "create-model", "--arch", "yolov4-tiny", "--classes", "0", "--out", o}};
        for (String[] k : cases) {
            String[] args = java.util.Arrays.copyOfRange(k, 1, k.length);
            CliRunner r = CliRunner.run(args);
            String line = String.join(" ", args);
            assertEquals(1, r.code(), line + ": " + r.err());
            assertTrue(r.oneLineError(), line + ": " + r.err());
            assertTrue(r.err().contains(k[0]), k[0] + " not named: " + r.err());
            assertFalse(Files.exists(out), "nothing written for " + line);
        }
    }

    @Test
    void aPathTheFileSystemCannotNameIsAUsageError() {
        CliRunner r = CliRunner.run("info", "model\u0000.cfg");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("MODEL.cfg is not a valid path"), r.err());
        r = CliRunner.run("export", "--cfg", "a\u0000b", "--weights", "w", "--format", "darknet", "--out", "o");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("--cfg is not a valid path"), r.err());
    }

    @Test
    void errorsAreOneLineAndVerboseAddsTheStackTrace() throws IOException {
        Path missing = tmp.resolve("missing.cfg");
        CliRunner plain = CliRunner.run("info", missing.toString());
        assertEquals(2, plain.code());
        assertTrue(plain.oneLineError() && plain.err().startsWith("edgeslim info: " + missing + ": no such file"),
                plain.err());
        CliRunner verbose = CliRunner.run("info", missing.toString(), "--verbose");
        assertEquals(2, verbose.code());
        List<String> lines = verbose.err().lines().toList();
        assertEquals(plain.err().strip(), lines.get(0));
        assertTrue(lines.size() > 3 && verbose.err().contains("\tat dev.edgeslim.detector.cfg.CfgParser"),
                verbose.err());
        // text quoted from a hostile input cannot break the line or reach the terminal as an escape sequence
        Path hostile = Files.writeString(tmp.resolve("hostile.cfg"), "[net]\nwidth=64\nheight=64\n"
                + "[convolutional]\nactivation=\u001b[2J\u001b[31mowned\n");
        CliRunner r = CliRunner.run("info", hostile.toString());
        assertEquals(2, r.code());
        assertTrue(r.oneLineError() && r.err().contains("\\x1b[2J") && !r.err().contains("\u001b"), r.err());
    }

    @Test
    void pruneNeedsForceForANonEmptyFolderAndForceReplacesOnlyItsOwnFiles() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("tiny.cfg"), TinyModels.yolo(32, 8, 16));
        NetworkSpec spec = CfgParser.parse(cfg);
        Path weights = tmp.resolve("tiny.weights");
        DarknetWeights.write(WeightInitializer.forTesting(spec, 2), spec, weights);
        Path out = Files.createDirectories(tmp.resolve("pruned"));
        Files.writeString(out.resolve("pruned.cfg"), "an earlier result");
        Files.writeString(out.resolve("notes.md"), "the user's");
        String[] args = {"prune", "--cfg", cfg.toString(), "--weights", weights.toString(), "--out", out.toString(),
                "--ratio", "0.3"};
        CliRunner r = CliRunner.run(args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("not empty") && r.err().contains("--force"), r.err());
        assertEquals("an earlier result", Files.readString(out.resolve("pruned.cfg")));

        List<String> forced = new ArrayList<>(List.of(args));
        forced.add("--force");
        r = CliRunner.run(forced.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        CfgParser.parse(out.resolve("pruned.cfg"));
        assertEquals("the user's", Files.readString(out.resolve("notes.md")));
    }
}
