/**
 * Detection post-processing shared by the desktop CLI and the Android demo: letterboxing an image into the
 * network input, decoding darknet {@code [yolo]} head logits into boxes, mapping them back to the image and
 * non-maximum suppression.
 *
 * <p><b>Java 8 only.</b> The Android module compiles these sources itself with {@code javac --release 8}, so
 * everything in this package must be Java 8 syntax and API: no records, {@code var}, switch expressions,
 * text blocks, {@code List.of}/{@code Map.of} or other Java 9+ library calls; and no imports outside
 * {@code java.*} (no android.*, org.tensorflow.*, org.bytedeco.*, Jackson). Check with
 * {@code javac --release 8 -d /tmp/x detector/src/main/java/dev/edgeslim/detector/postprocess/*.java}.
 * Code that needs the desktop model ({@code NetworkSpec}) lives outside this package
 * (see {@code dev.edgeslim.detector.model.YoloHeads}).
 */
package dev.edgeslim.detector.postprocess;
