package dev.edgeslim.android;

/**
 * Where TensorFlow Lite runs the model. The user picks one; {@link BackendLoader} falls back to {@link #CPU} with a
 * message when the chosen one cannot run the model on this device.
 */
public enum Backend {
    /** TFLite's built-in reference kernels on the CPU (XNNPACK off): the baseline to compare the others with. */
    CPU("CPU"),
    /** TFLite's optimised CPU kernels (XNNPACK, fp32 and int8). */
    XNNPACK("XNNPACK"),
    /** Android's Neural Networks API: the vendor's GPU/DSP/NPU driver, or its own CPU fallback. Android 8.1+. */
    NNAPI("NNAPI"),
    /** TFLite's GPU delegate (OpenCL/OpenGL ES); only on devices its compatibility list accepts. */
    GPU("GPU");

    private final String label;

    Backend(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The backend with this label, e.g. from a saved setting; null when none has it. */
    public static Backend byLabel(String label) {
        for (Backend b : values()) {
            if (b.label.equals(label)) {
                return b;
            }
        }
        return null;
    }
}
