package dev.edgeslim.cli;

import dev.edgeslim.detector.TinyModels;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.data.SyntheticVoc;
import dev.edgeslim.detector.io.Sha256;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny compress set-up shared by the pipeline tests: a synthetic VOCdevkit of a few 64 px images, a three-conv
 * YOLO model at 64x64 with seeded weights, the {@code compress}/{@code distill} arguments that keep a run to
 * seconds, and a way to run the CLI in a child JVM (to kill it).
 */
final class CompressFixture {
    static final int SIZE = 64;
    static final String CFG = TinyModels.yolo(SIZE, 8, 16, 16);
    /** Convolutions without batch norm have no γ: nothing in this network can be sparse-trained or pruned. */
    static final String NO_BN_CFG = TinyModels.yolo(SIZE, 8, 16).replace("batch_normalize=1\n", "");

    private CompressFixture() {
    }

    /** A model file pair. */
    record Model(Path cfg, Path weights) {
    }

    /** {@code train} training and {@code test} evaluation images of 64 px. */
    static Path voc(Path dir, int train, int test) throws IOException {
        Path voc = dir.resolve("voc");
        SyntheticVoc.generate(voc, new SyntheticVoc.Options(train, test, SIZE, 5, 1), false, null);
        return voc;
    }

    /** The tiny model with weights seeded by {@code seed}, written to {@code dir/NAME.cfg|.weights}. */
    static Model model(Path dir, String name, long seed) throws IOException {
        return model(dir, name, seed, CFG);
    }

    /** Any cfg with weights seeded by {@code seed}, written to {@code dir/NAME.cfg|.weights}. */
    static Model model(Path dir, String name, long seed, String cfgText) throws IOException {
        Files.createDirectories(dir);
        Path cfg = Files.writeString(dir.resolve(name + ".cfg"), cfgText);
        NetworkSpec spec = CfgParser.parse(cfg);
        Path weights = dir.resolve(name + ".weights");
        DarknetWeights.write(WeightInitializer.forTraining(spec, seed), spec, weights);
        return new Model(cfg, weights);
    }

    /**
     * {@code compress} of {@code model} on {@code voc} into {@code out}, small and fast; {@code extra} flags are
     * added, or replace the value of a flag already there.
     */
    static List<String> compress(Model model, Path voc, Path out, int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("compress", "--cfg", model.cfg().toString(), "--weights",
                model.weights().toString(), "--data", voc.toString(), "--out", out.toString(), "--sparse-epochs",
                String.valueOf(epochs), "--finetune-epochs", String.valueOf(epochs), "--batch", "4", "--threads", "2",
                "--latency-runs", "2", "--seed", "3", "--quiet"));
        for (int i = 0; i < extra.length; i++) {
            boolean hasValue = i + 1 < extra.length && !extra[i + 1].startsWith("--");
            int at = a.indexOf(extra[i]);
            if (hasValue && at >= 0) {
                a.set(at + 1, extra[++i]);
            } else {
                a.add(extra[i]);
                if (hasValue) {
                    a.add(extra[++i]);
                }
            }
        }
        return a;
    }

    static CliRunner run(List<String> args) {
        return CliRunner.run(args.toArray(String[]::new));
    }

    /** Starts the CLI with {@code args} in a child JVM on this JVM's class path; output goes to {@code log}. */
    static Process start(List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                EdgeSlim.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Files under {@code dir} (relative path, SHA-256, mtime; sorted), to show that nothing was added or replaced. */
    static List<String> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace(File.separatorChar, '/')
                    + " " + sha256(p) + " " + modified(p)).sorted().toList();
        }
    }

    private static String sha256(Path p) {
        try {
            return Sha256.of(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
