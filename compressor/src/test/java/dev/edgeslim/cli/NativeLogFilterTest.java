package dev.edgeslim.cli;

import dev.edgeslim.detector.ReferenceFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's stderr filter ({@code scripts/native-log-filter.pl}) on what TensorFlow's native library really
 * prints: a child JVM runs {@code detect} (which starts TensorFlow) and its output goes through the filter, as
 * {@code ./edgeslim} does without {@code --verbose}.
 */
class NativeLogFilterTest {
    /** The start-up lines TensorFlow prints; the raw output must have some, or the test proves nothing. */
    private static final Pattern NATIVE = Pattern.compile("oneDNN custom operations|cpu_feature_guard"
            + "|absl::InitializeLog|MLIR V1 optimization pass|To enable the following instructions");

    private static final Path FILTER = ReferenceFiles.root().getParent().resolve("scripts/native-log-filter.pl");

    private static byte[] filter(byte[] input) throws Exception {
        Process p = new ProcessBuilder("perl", FILTER.toString()).start();
        Thread feed = new Thread(() -> {
            try (var in = p.getOutputStream()) {
                in.write(input);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        feed.start();
        byte[] out = p.getInputStream().readAllBytes();
        feed.join();
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return out;
    }

    private static String run(List<String> args, boolean asLauncher) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                EdgeSlim.class.getName()));
        command.addAll(args);
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().remove("TF_CPP_MIN_LOG_LEVEL");
        if (asLauncher) {
            b.environment().put("TF_CPP_MIN_LOG_LEVEL", "1");
        }
        Process p = b.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        return new String(asLauncher ? filter(out) : out, StandardCharsets.UTF_8);
    }

    @Test
    void tensorFlowStartUpLinesAreDroppedAndTheCommandsOwnOutputKept(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("m.cfg");
        Path weights = dir.resolve("m.weights");
        assertEquals(0, CliRunner.run("create-model", "--arch", "yolov4-tiny", "--size", "64", "--classes", "2",
                "--out", cfg.toString(), "--weights-out", weights.toString()).code());
        List<String> detect = List.of("detect", "--cfg", cfg.toString(), "--weights", weights.toString(), "--image",
                ReferenceFiles.model("yolo-fastest-body").resolve("person.jpg").toString(), "--threads", "1");

        String raw = run(detect, false);
        assertTrue(NATIVE.matcher(raw).find(), "TensorFlow printed no start-up line to filter: " + raw);
        String quiet = run(detect, true);
        assertFalse(NATIVE.matcher(quiet).find(), quiet);
        // the built-in cfg keeps darknet's augmentation options: one warning line says so, then the command's output
        String output = quiet.lines().filter(l -> !l.contains(": warning: ")).collect(Collectors.joining("\n"));
        assertTrue(output.matches("(?s)\\d+ detections in [0-9.]+ ms(\\R.*)?"), quiet);
    }

    @Test
    void progressBarsErrorsAndOtherWarningsPassUnchanged() throws Exception {
        String kept = "train  10% [==        ]\rtrain  20% [====      ]\r"
                + "E0000 00:00:1796447868.643531   28514 some_kernel.cc:12] a real native error\n"
                + "WARNING: something the user should see\n"
                + "edgeslim export: out.tflite: exists and is not a TFLite model; use --force to replace it\n"
                + "2026-12-05 05:17:46.792059: E tensorflow/core/x.cc:1] another native error\n"
                + "no newline at the end";
        String dropped = "2026-12-05 05:17:46.792059: I tensorflow/core/util/port.cc:153] oneDNN custom operations"
                + " are on.\n"
                + "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the"
                + " appropriate compiler flags.\n"
                + "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
                + "I0000 00:00:1796447868.643531   28514 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization"
                + " pass is not enabled\n";
        String mixed = dropped.substring(0, dropped.indexOf('\n') + 1) + kept.substring(0, kept.indexOf('E'))
                + dropped.substring(dropped.indexOf('\n') + 1) + kept.substring(kept.indexOf('E'));
        assertEquals(kept, new String(filter(mixed.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(FILTER));
    }
}
