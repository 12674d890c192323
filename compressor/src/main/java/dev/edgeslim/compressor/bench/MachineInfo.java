package dev.edgeslim.compressor.bench;

import org.bytedeco.opencv.global.opencv_core;
import org.tensorflow.TensorFlow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What a benchmark ran on, so numbers from different machines are never compared unknowingly. */
public record MachineInfo(String cpu, int cores, String java, String tensorflow, String opencv) {

    public static MachineInfo current() {
        return new MachineInfo(cpuModel(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), TensorFlow.version(),
                opencv_core.getVersionString().getString());
    }

    private static String cpuModel() {
        Path info = Path.of("/proc/cpuinfo");
        if (Files.isReadable(info)) {
            try (Stream<String> lines = Files.lines(info)) {
                return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst().orElse(System.getProperty("os.arch"));
            } catch (IOException | RuntimeException e) {
                // fall through to the architecture: the model name is informative, not essential
            }
        }
        return System.getProperty("os.arch");
    }
}
