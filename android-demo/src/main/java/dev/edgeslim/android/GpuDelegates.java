package dev.edgeslim.android;

import org.tensorflow.lite.Delegate;
import org.tensorflow.lite.gpu.CompatibilityList;
import org.tensorflow.lite.gpu.GpuDelegate;

/**
 * TFLite's GPU delegate, in a class of its own so that a device (or the JVM) without its native library fails
 * here, with a {@link LinkageError} the caller turns into a message, and nowhere else.
 */
final class GpuDelegates {
    private GpuDelegates() {
    }

    /** A GPU delegate with the options TFLite recommends for this device's GPU; the caller closes it. */
    static Delegate create() {
        CompatibilityList compatibility = new CompatibilityList();
        try {
            if (!compatibility.isDelegateSupportedOnThisDevice()) {
                throw new IllegalStateException("this device's GPU is not on TensorFlow Lite's GPU compatibility list");
            }
            return new GpuDelegate(compatibility.getBestOptionsForThisDevice());
        } finally {
            compatibility.close();
        }
    }
}
