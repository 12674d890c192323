package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.compressor.export.tflite.TfliteMetadata;
import dev.edgeslim.compressor.export.tflite.TfliteRunner;
import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.image.ImageLoader;
import dev.edgeslim.detector.io.AtomicFiles;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.train.CheckpointStore;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash consistency: {@code edgeslim train} and {@code edgeslim export} run in a child JVM (the test classpath, main
 * class {@link EdgeSlim}) and are killed with SIGKILL ({@link Process#destroyForcibly()}) at random moments. After
 * every kill each file in the output folder must be complete and valid (weights load against the cfg, cfgs parse,
 * JSON parses, the checkpoint loads, PNGs decode, a .tflite loads and runs in the TFLite runtime and agrees with the
 * metadata beside it); the only other thing allowed is a temp file of an interrupted atomic write, which the next
 * run must clear. Then {@code train --resume} must finish with weights bit-identical to an uninterrupted run, and
 * a repeated export must produce a complete model.
 *
 * <p>CI runs {@value #DEFAULT_ROUNDS} kill rounds of each; {@code -Dedgeslim.killRounds=20} runs 20, and
 * {@code -Dedgeslim.killSeed=N} repeats a sequence of kill points. Each round prints one line (kill time, what the
 * kill left behind).
 */
class CrashConsistencyTest {
    static final int DEFAULT_ROUNDS = 1;
    static final int ROUNDS = Integer.getInteger("edgeslim.killRounds", DEFAULT_ROUNDS);
    static final long SEED = Long.getLong("edgeslim.killSeed", System.nanoTime());
    /** Training: 24 images, batch 4, 4 epochs at 64x64 = 24 iterations and 4 checkpoints, then an evaluation. */
    static final List<String> TRAIN_FLAGS = List.of("--epochs", "4", "--batch", "4", "--burn-in", "0",
            "--eval-every", "100", "--threads", "1", "--seed", "3", "--quiet");

    @TempDir
    static Path dir;
    static Path voc;
    static Path cfg;
    static NetworkSpec spec;

    @BeforeAll
    static void dataset() throws Exception {
        voc = dir.resolve("voc");
        CliRunner g = CliRunner.run("synth-voc", "--out", voc.toString(), "--train", "24", "--test", "2", "--size",
                "64", "--seed", "5", "--quiet");
        assertEquals(0, g.code(), g.err());
        cfg = dir.resolve("tiny.cfg");
        Files.writeString(cfg, TinyModels.yolo(64, 8, 16));
        spec = CfgParser.parse(cfg);
        System.out.printf(Locale.ROOT, "crash consistency: %d round(s), -Dedgeslim.killSeed=%d%n", ROUNDS, SEED);
    }

    @Test
    void trainKilledAtRandomPointsLeavesValidFilesAndResumesToTheSameWeights() throws Exception {
        long start = System.nanoTime();
        Path reference = dir.resolve("train-reference");
        Child full = Child.start(dir, "train-reference", trainArgs(reference, false));
        double firstCheckpoint = full.secondsUntil(reference.resolve("checkpoints").resolve(CheckpointStore.POINTER));
        assertEquals(0, full.waitFor(), full.log());
        double seconds = full.seconds();
        byte[] expected = Files.readAllBytes(reference.resolve("final.weights"));
        assertEquals(List.of(), problems(reference), "an uninterrupted run is valid");

        SplittableRandom random = new SplittableRandom(SEED);
        int tempsSeen = 0;
        int beforeFirstCheckpoint = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            Path out = dir.resolve("train-" + round);
            // timed kills from half the start-up (JVM, TF) to the end, so most land in training and its writes
            KillPoint point = KillPoint.random(random, firstCheckpoint / 2, seconds, 12);
            Child child = Child.start(dir, "train-" + round, trainArgs(out, false));
            String killed = child.kill(point, out);
            List<String> problems = problems(out);
            assertEquals(List.of(), problems, "round " + round + ": files after SIGKILL " + killed);
            long temps = temps(out).size();
            tempsSeen += temps;
            boolean hadCheckpoint = Files.exists(out.resolve("checkpoints").resolve(CheckpointStore.POINTER));
            beforeFirstCheckpoint += hadCheckpoint ? 0 : 1;
            Child resumed = Child.start(dir, "train-" + round + "-resume", trainArgs(out, true));
            assertEquals(0, resumed.waitFor(), "round " + round + ": resume failed\n" + resumed.log());
            assertEquals(List.of(), problems(out), "round " + round + ": after resume");
            assertEquals(List.of(), temps(out), "round " + round + ": the resumed run clears temp files");
            assertArrayEquals(expected, Files.readAllBytes(out.resolve("final.weights")),
                    "round " + round + ": a resumed run ends with the uninterrupted run's weights");
            System.out.printf(Locale.ROOT, "train round %d: %s; %s, %d temp file(s) left; resumed OK, same "
                    + "weights%n", round, killed, hadCheckpoint ? "checkpoint present" : "no checkpoint yet", temps);
            deleteTree(out);
        }
        System.out.printf(Locale.ROOT, "train: %d/%d rounds passed (%d killed before the first checkpoint, %d temp "
                        + "files cleared by resume) in %.0f s%n", ROUNDS, ROUNDS, beforeFirstCheckpoint, tempsSeen,
                (System.nanoTime() - start) / 1e9);
    }

    @Test
    void exportKilledAtRandomPointsLeavesAValidModelAndMetadataPair() throws Exception {
        long start = System.nanoTime();
        Path weights = dir.resolve("export-input.weights");
        DarknetWeights.write(WeightInitializer.forTesting(spec, 4), spec, weights);
        Path calib = voc.resolve("VOC2007").resolve("JPEGImages");
        Path model = dir.resolve("export").resolve("model.tflite");
        Files.createDirectories(model.getParent());
        // the folder starts with a finished fp32 export; every round re-exports over it, alternating int8 and fp32,
        // so a model left beside the other precision's metadata would show
        Child int8 = Child.start(dir, "export-int8", exportArgs(weights, model, "int8", calib));
        assertEquals(0, int8.waitFor(), int8.log());
        Child fp32 = Child.start(dir, "export-fp32", exportArgs(weights, model, "fp32", calib));
        assertEquals(0, fp32.waitFor(), fp32.log());
        Map<String, Double> seconds = Map.of("int8", int8.seconds(), "fp32", fp32.seconds());
        assertEquals(List.of(), exportProblems(model));

        SplittableRandom random = new SplittableRandom(SEED + 1);
        int tempsSeen = 0;
        int modelsWithoutMetadata = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            String quant = round % 2 == 1 ? "int8" : "fp32";
            KillPoint point = KillPoint.random(random, 0.3 * seconds.get(quant), 1.05 * seconds.get(quant), 1);
            Child child = Child.start(dir, "export-" + round, exportArgs(weights, model, quant, calib));
            String killed = child.kill(point, model.getParent());
            assertEquals(List.of(), exportProblems(model), "round " + round + ": after SIGKILL " + killed);
            long temps = temps(model.getParent()).size();
            tempsSeen += temps;
            boolean withoutMetadata = Files.exists(model) && !Files.exists(TfliteMetadata.fileFor(model));
            modelsWithoutMetadata += withoutMetadata ? 1 : 0;
            Child again = Child.start(dir, "export-" + round + "-again", exportArgs(weights, model, quant, calib));
            assertEquals(0, again.waitFor(), "round " + round + ": export after the kill\n" + again.log());
            assertEquals(List.of(), exportProblems(model), "round " + round + ": after the repeated export");
            assertTrue(Files.exists(TfliteMetadata.fileFor(model)));
            assertEquals(quant, TfliteMetadata.read(TfliteMetadata.fileFor(model)).precision());
            assertFalse(Files.exists(AtomicFiles.tempFor(model)), "the repeated export replaced the temp file");
            System.out.printf(Locale.ROOT, "export round %d (%s): %s; %s, %d temp file(s) left; re-export OK%n",
                    round, quant, killed, Files.exists(model) ? withoutMetadata ? "model without metadata"
                            : "model + metadata" : "no model", temps);
        }
        System.out.printf(Locale.ROOT, "export: %d/%d rounds passed (%d left a model without its metadata, %d temp "
                        + "files) in %.0f s%n", ROUNDS, ROUNDS, modelsWithoutMetadata, tempsSeen,
                (System.nanoTime() - start) / 1e9);
    }

    private static List<String> trainArgs(Path out, boolean resume) {
        List<String> args = new ArrayList<>(List.of("train", "--cfg", cfg.toString(), "--data", voc.toString(),
                "--out", out.toString()));
        args.addAll(TRAIN_FLAGS);
        if (resume) {
            args.add("--resume");
        }
        return args;
    }

    private static List<String> exportArgs(Path weights, Path model, String quant, Path calib) {
        List<String> args = new ArrayList<>(List.of("export", "--cfg", cfg.toString(), "--weights", weights.toString(),
                "--format", "tflite", "--quant", quant, "--out", model.toString(), "--threads", "1"));
        if (quant.equals("int8")) {
            args.addAll(List.of("--calib", calib.toString(), "--calib-images", "8"));
        }
        return args;
    }

    /**
     * Temp files of interrupted atomic writes under {@code dir}. The kill poller lists the folder while the child
     * writes, so a temp file may be renamed away between the listing and its stat: a file that vanished is skipped
     * rather than failing the walk (Files.walk would throw NoSuchFileException).
     */
    private static List<Path> temps(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> temps = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile() && AtomicFiles.isTemp(file)) {
                    temps.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        temps.sort(null);
        return temps;
    }

    /** Every file a (possibly killed) training run left in {@code out}, checked by what it is; problems listed. */
    static List<String> problems(Path out) throws IOException {
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(out)) {
            return problems;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            if (AtomicFiles.isTemp(f)) {
                continue; // an interrupted write; the next run clears it (checked after resume)
            }
            try {
                check(f);
            } catch (Exception | AssertionError e) {
                problems.add(out.relativize(f) + ": " + e);
            }
        }
        return problems;
    }

    private static void check(Path f) throws Exception {
        String name = f.getFileName().toString();
        if (name.endsWith(".weights")) {
            DarknetWeights.read(f, spec);
        } else if (name.endsWith(".cfg")) {
            assertEquals(spec, CfgParser.parse(f));
        } else if (name.equals(CheckpointStore.POINTER)) {
            new CheckpointStore(f.getParent()).load(spec);
        } else if (name.endsWith(".optimizer")) {
            checkOptimizerState(f);
        } else if (name.endsWith(".json")) {
            JsonNode n = Json.MAPPER.readTree(f.toFile());
            assertTrue(n != null && n.isObject(), "a JSON object");
        } else if (name.endsWith(".jsonl")) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                assertTrue(Json.MAPPER.readTree(line).isObject(), "a JSON object per line");
            }
        } else if (name.endsWith(".png")) {
            ImageLoader.read(f);
        } else if (name.endsWith(".names")) {
            assertEquals(spec.classes(), dev.edgeslim.detector.data.VocClasses.load(f).size(), "one name a class");
        } else if (name.endsWith(".md") || name.endsWith(".txt")) {
            assertTrue(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f)))
                    .length() > 0, "text");
        } else {
            fail("unexpected file");
        }
    }

    /** An optimizer state file, read in full: magic, slot count, then each slot's name, length and floats. */
    private static void checkOptimizerState(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f);
             DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
            assertEquals(0x45534f50, data.readInt(), "magic");
            int slots = data.readInt();
            for (int i = 0; i < slots; i++) {
                data.readUTF();
                int n = data.readInt();
                assertTrue(n >= 0, "slot length");
                data.skipNBytes(4L * n); // EOFException when the file is short
            }
            assertEquals(-1, data.read(), "nothing after the last slot");
        }
    }

    /** The export folder after a (possibly killed) export of {@code model}: whatever is there is valid and agrees. */
    static List<String> exportProblems(Path model) {
        List<String> problems = new ArrayList<>();
        Path json = TfliteMetadata.fileFor(model);
        TfliteMetadata metadata = null;
        if (Files.exists(json)) {
            try {
                metadata = TfliteMetadata.read(json);
            } catch (RuntimeException e) {
                problems.add(json.getFileName() + ": " + e);
            }
            if (!Files.exists(model)) {
                problems.add(json.getFileName() + " without its model");
            }
        }
        if (Files.exists(model)) {
            try (TfliteRunner runner = TfliteRunner.load(model, 1, TfliteRunner.Delegates.NONE)) {
                float[][] out = runner.run(new float[runner.input().elements()]);
                assertTrue(out.length == spec.yoloLayers().size(), "one output per head");
                if (metadata != null) {
                    String dtype = runner.input().dtype();
                    assertEquals(metadata.input().dtype(), dtype, "metadata and model agree on the input type");
                }
            } catch (RuntimeException | AssertionError e) {
                problems.add(model.getFileName() + ": " + e);
            }
        }
        return problems;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /**
     * When to kill: half the rounds at a random moment of the run ({@code seconds} after the start), half the
     * moment the n-th temp file of an atomic write shows up in the output folder, i.e. in the middle of a write.
     * (A write the poller never sees, or a run that ends first, means the child finishes: the round then checks a
     * complete run, and says so.)
     */
    private record KillPoint(double seconds, int atTempFile) {
        /** A timed kill uniform in [from, to] seconds after the start, or a kill at one of the first writes. */
        static KillPoint random(SplittableRandom random, double from, double to, int writes) {
            return random.nextBoolean() ? new KillPoint(from + (to - from) * random.nextDouble(), 0)
                    : new KillPoint(0, 1 + random.nextInt(writes));
        }

        @Override
        public String toString() {
            return atTempFile > 0 ? "at temp file #" + atTempFile : String.format(Locale.ROOT, "timed %.2f s",
                    seconds);
        }
    }

    /** {@code edgeslim ARGS} in a child JVM on this test's classpath, output to a log file. */
    private record Child(Process process, Path logFile, long started) {
        static Child start(Path dir, String name, List<String> args) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString(), "-Xmx1g", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true", "-cp",
                    System.getProperty("java.class.path"), EdgeSlim.class.getName()));
            command.addAll(args);
            Path log = dir.resolve(name + ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Child(p, log, System.nanoTime());
        }

        int waitFor() throws InterruptedException {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                fail("child did not finish in 10 minutes");
            }
            return process.exitValue();
        }

        double seconds() {
            return (System.nanoTime() - started) / 1e9;
        }

        /** Seconds from the start until {@code file} exists (or the child ends). */
        double secondsUntil(Path file) throws InterruptedException {
            while (process.isAlive() && !Files.exists(file)) {
                process.waitFor(5, TimeUnit.MILLISECONDS);
            }
            return seconds();
        }

        /**
         * SIGKILLs the child at {@code point}, watching {@code folder} for temp files; returns what happened
         * ("killed at 3.21 s ..." or "had finished ...").
         */
        String kill(KillPoint point, Path folder) throws InterruptedException, IOException {
            long deadline = started + (long) (point.seconds() * 1e9);
            int tempsSeen = 0;
            Path lastTemp = null;
            while (process.isAlive()) {
                if (point.atTempFile() > 0) {
                    List<Path> temps = temps(folder);
                    if (!temps.isEmpty() && !temps.get(0).equals(lastTemp)) {
                        lastTemp = temps.get(0);
                        if (++tempsSeen >= point.atTempFile()) {
                            break;
                        }
                    }
                } else if (System.nanoTime() >= deadline) {
                    break;
                }
                if (process.waitFor(2, TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
            double at = seconds();
            if (!process.isAlive()) {
                return String.format(Locale.ROOT, "had finished after %.2f s (%s)", at, point);
            }
            process.destroyForcibly();
            process.waitFor();
            return String.format(Locale.ROOT, "killed at %.2f s (%s%s)", at, point,
                    lastTemp == null ? "" : ", writing " + folder.relativize(lastTemp));
        }

        String log() {
            try {
                List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }
}
