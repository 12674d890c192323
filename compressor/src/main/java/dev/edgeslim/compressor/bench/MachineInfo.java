package dev.edgeslim.compressor.bench;

import ai.onnxruntime.OrtEnvironment;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.tensorflowlite.global.tensorflowlite;
import org.tensorflow.TensorFlow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a benchmark ran on, so numbers from different machines are never compared unknowingly: the CPU model, the
 * cores the JVM sees, the operating system, and the versions of Java and of the three runtimes (TensorFlow behind TF
 * Java, OpenCV, TensorFlow Lite, ONNX Runtime).
 */
public record MachineInfo(String cpu, int cores, String os, String java, String tensorflow, String opencv,
                          String tflite, String onnxruntime) {

    public static MachineInfo current() {
        return new MachineInfo(cpuModel(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), TensorFlow.version(),
                cString(opencv_core.getVersionString()), cString(tensorflowlite.TfLiteVersion()),
                OrtEnvironment.getEnvironment().getVersion());
    }

    /** A native version string without the NUL JavaCPP's C strings bring along. */
    private static String cString(org.bytedeco.javacpp.BytePointer p) {
        return p == null || p.isNull() ? "unknown" : p.getString().replace("\0", "").trim();
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
