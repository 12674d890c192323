package dev.edgeslim.android;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Makes {@code org.tensorflow.lite.Interpreter} usable on Linux: DJL's desktop build of the TFLite Java API
 * (tflite-engine) does not load its JNI library itself, so this copies {@code native/lib/libtensorflowlite_jni.so}
 * from tflite-native-cpu to a temp file and {@code System.load}s it.
 *
 * <p>A JNI library belongs to one class loader. Robolectric loads the app and this class again in its sandbox
 * class loader, so each loader gets its own copy of the file (the state below is per loader, as static fields
 * are).
 */
final class DesktopTflite {
    private static boolean loaded;

    private DesktopTflite() {
    }

    static synchronized void load() {
        if (loaded) {
            return;
        }
        try (InputStream in = DesktopTflite.class.getResourceAsStream("/native/lib/libtensorflowlite_jni.so")) {
            if (in == null) {
                throw new IllegalStateException("native/lib/libtensorflowlite_jni.so is not on the test classpath"
                        + " (ai.djl.tflite:tflite-native-cpu:linux-x86_64)");
            }
            Path dir = Files.createTempDirectory("edgeslim-tflite-jni");
            // deleteOnExit runs in reverse order of registration: the library first, then its (then empty) folder
            dir.toFile().deleteOnExit();
            Path lib = dir.resolve("libtensorflowlite_jni.so");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            lib.toFile().deleteOnExit();
            System.load(lib.toAbsolutePath().toString());
            loaded = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
