package dev.edgeslim.android;

import org.tensorflow.lite.Interpreter;

/**
 * How the TFLite interpreter runs: CPU threads, XNNPACK (TFLite's optimised CPU kernels, on by default) and
 * optionally NNAPI (Android's accelerator API: GPU/DSP/NPU when the device offers them, else its CPU fallback).
 * Immutable.
 */
public final class RuntimeSettings {
    private final int threads;
    private final boolean xnnpack;
    private final boolean nnapi;

    public RuntimeSettings(int threads, boolean xnnpack, boolean nnapi) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.xnnpack = xnnpack;
        this.nnapi = nnapi;
    }

    /** All cores, XNNPACK, no NNAPI. */
    public static RuntimeSettings defaults() {
        return new RuntimeSettings(Math.max(1, Runtime.getRuntime().availableProcessors()), true, false);
    }

    public int threads() {
        return threads;
    }

    public boolean xnnpack() {
        return xnnpack;
    }

    public boolean nnapi() {
        return nnapi;
    }

    public RuntimeSettings withNnapi(boolean on) {
        return new RuntimeSettings(threads, xnnpack, on);
    }

    /**
     * The interpreter options. Only calls that exist with the same signature in TFLite 2.16.1 (the app) and the
     * 2.6 desktop build the JVM tests use.
     */
    Interpreter.Options toOptions() {
        Interpreter.Options options = new Interpreter.Options();
        options.setNumThreads(threads);
        options.setUseXNNPACK(xnnpack);
        if (nnapi) {
            options.setUseNNAPI(true);
        }
        return options;
    }

    /** e.g. "CPU, XNNPACK, 8 threads" or "NNAPI, 8 CPU threads". */
    public String describe() {
        if (nnapi) {
            return "NNAPI, " + threads + " CPU thread" + (threads == 1 ? "" : "s");
        }
        return "CPU" + (xnnpack ? ", XNNPACK" : "") + ", " + threads + " thread" + (threads == 1 ? "" : "s");
    }

    @Override
    public String toString() {
        return describe();
    }
}
