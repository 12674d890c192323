package dev.edgeslim.android;

import dev.edgeslim.detector.postprocess.DetectorOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backends on this JVM: CPU and XNNPACK run; the GPU delegate's classes are here but its native library is not
 * (as on a phone without GPU support), so asking for the GPU loads the model on the CPU with a message saying why.
 * Every interpreter opened is closed again.
 */
class BackendFallbackTest {
    /** What NNAPI does on this JVM (no Android NNAPI library): printed, and either way one interpreter stays. */
    @Test
    void nnapiRunsOrFallsBackWithAMessage() throws Exception {
        int before = OpenInterpreters.count();
        try (AndroidDetector d = open(new RuntimeSettings(1, Backend.NNAPI))) {
            System.out.println("NNAPI: " + d.settings() + " / " + d.fallbackMessage());
            assertEquals(d.fallbackMessage() == null, d.settings().backend() == Backend.NNAPI);
            assertEquals(before + 1, OpenInterpreters.count());
        }
        assertEquals(before, OpenInterpreters.count());
    }

    @BeforeAll
    static void loadTflite() {
        DesktopTflite.load();
    }

    @Test
    void cpuAndXnnpackRunWhereAskedAndGpuFallsBackToTheCpuWithAMessage() throws Exception {
        int before = OpenInterpreters.count();
        for (Backend b : new Backend[] {Backend.CPU, Backend.XNNPACK}) {
            try (AndroidDetector d = open(new RuntimeSettings(1, b))) {
                assertEquals(b, d.settings().backend());
                assertNull(d.fallbackMessage());
                assertEquals(before + 1, OpenInterpreters.count());
            }
            assertEquals(before, OpenInterpreters.count());
        }
        try (AndroidDetector d = open(new RuntimeSettings(3, Backend.GPU))) {
            System.out.println("GPU: " + d.fallbackMessage());
            assertEquals(Backend.XNNPACK, d.settings().backend());
            assertEquals(3, d.settings().threads());
            assertTrue(d.fallbackMessage().startsWith("GPU cannot run lively on this device ("), d.fallbackMessage());
            assertTrue(d.fallbackMessage().endsWith("); running it on the CPU (XNNPACK) instead"));
            assertEquals(before + 1, OpenInterpreters.count(), "the failed GPU attempt left nothing open");
            assertTrue(d.detect(TestModels.argb(TestModels.sampleImages().get(0)), 640, 480).detections().size() > 0);
        }
        assertEquals(before, OpenInterpreters.count());
    }

    private static AndroidDetector open(RuntimeSettings settings) throws ModelLoadException {
        return AndroidDetector.open(TestModels.bytes(TestModels.fp32()), TestModels.fp32().metadata().toJson(),
                "lively", settings, DetectorOptions.defaults());
    }
}
