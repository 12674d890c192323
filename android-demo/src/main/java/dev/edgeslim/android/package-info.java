/**
 * The EdgeSlim Android demo: one Activity ({@link dev.edgeslim.android.DetectorActivity}) that runs an exported
 * EdgeSlim model with TensorFlow Lite on sample images and picked photos.
 *
 * <p>Java 8 (the build compiles with {@code javac --release 8} against API 16's android.jar). Everything but the
 * Activity and its helpers ({@code DetectorActivity}, {@code ModelSource}, {@code ImageDecoder},
 * {@code DetectionPainter}) is free of {@code android.*}, so the JVM tests run the app's own detection code
 * ({@link dev.edgeslim.android.AndroidDetector}) against a desktop TFLite build. Decoding, letterboxing and NMS are
 * the detector module's {@code dev.edgeslim.detector.postprocess} sources, compiled into the app unchanged.
 */
package dev.edgeslim.android;
