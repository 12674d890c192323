package dev.edgeslim.android;

import dev.edgeslim.compressor.export.tflite.CalibrationSource;
import dev.edgeslim.compressor.export.tflite.ExportOptions;
import dev.edgeslim.compressor.export.tflite.ExportedTflite;
import dev.edgeslim.compressor.export.tflite.TfliteExporter;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.postprocess.InputTransform;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Real models for the tests, exported by EdgeSlim's TFLite exporter: a small two-head YOLO (yolov4-tiny's layer
 * forms: strided convs, a channel-split route, concat, max-pool, upsample) with seeded weights whose outputs are
 * O(1), so plenty of boxes pass the thresholds. Input 96x64 (not square, so width/height mix-ups show).
 * Exported once per JVM.
 */
final class TestModels {
    static final String CFG = """
            [net]
            width=96
            height=64
            channels=3

            [convolutional]
            batch_normalize=1
            filters=8
            size=3
            stride=2
            pad=1
            activation=leaky

            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=2
            pad=1
            activation=leaky

            [route]
            layers=-1
            groups=2
            group_id=1

            [convolutional]
            batch_normalize=1
            filters=8
            size=3
            stride=1
            pad=1
            activation=leaky

            [route]
            layers=-1,-2

            [maxpool]
            size=2
            stride=2

            [convolutional]
            batch_normalize=1
            filters=32
            size=3
            stride=1
            pad=1
            activation=leaky

            [convolutional]
            batch_normalize=1
            filters=16
            size=1
            stride=1
            activation=leaky

            [convolutional]
            filters=24
            size=1
            stride=1
            activation=linear

            [yolo]
            mask=3,4,5
            anchors=10,14, 23,27, 37,58, 45,40, 60,50, 90,60
            classes=3
            num=6
            scale_x_y=1.05

            [route]
            layers=7

            [convolutional]
            batch_normalize=1
            filters=8
            size=1
            stride=1
            activation=leaky

            [upsample]
            stride=2

            [route]
            layers=-1,1

            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=1
            pad=1
            activation=leaky

            [convolutional]
            filters=24
            size=1
            stride=1
            activation=linear

            [yolo]
            mask=0,1,2
            anchors=10,14, 23,27, 37,58, 45,40, 60,50, 90,60
            classes=3
            num=6
            """;
    static final List<String> CLASS_NAMES = List.of("circle", "square", "triangle");
    static final float HEAD_GAIN = 6f;
    static final float OBJECTNESS_SHIFT = 0f;

    private static NetworkSpec spec;
    private static ExportedTflite fp32;
    private static ExportedTflite int8;

    private TestModels() {
    }

    static synchronized NetworkSpec spec() {
        if (spec == null) {
            spec = CfgParser.parse(CFG, "android-test.cfg");
        }
        return spec;
    }

    /**
     * Seeded weights; the convs feeding the [yolo] layers are amplified and objectness pushed down, so logits span
     * several units and only some anchors fire, confidently (with O(1) logits every cell gives near-identical
     * scores around 0.25 and NMS outcomes flip on rounding).
     */
    static WeightStore weights() {
        WeightStore store = WeightInitializer.forTesting(spec(), 3);
        for (int yolo : spec().yoloLayers()) {
            int conv = yolo - 1;
            ConvWeights w = store.conv(conv);
            float[] kernel = w.weights().clone();
            float[] bias = w.biases().clone();
            for (int i = 0; i < kernel.length; i++) {
                kernel[i] *= HEAD_GAIN;
            }
            for (int c = 0; c < bias.length; c++) {
                bias[c] *= HEAD_GAIN;
                if (c % (5 + CLASS_NAMES.size()) == 4) {
                    bias[c] -= OBJECTNESS_SHIFT;
                }
            }
            store = store.with(conv, new ConvWeights(bias, w.scales(), w.rollingMean(), w.rollingVariance(), kernel));
        }
        return store;
    }

    static synchronized ExportedTflite fp32() {
        if (fp32 == null) {
            fp32 = TfliteExporter.export(spec(), weights(), ExportOptions.fp32().withClassNames(CLASS_NAMES));
        }
        return fp32;
    }

    static synchronized ExportedTflite int8() {
        if (int8 == null) {
            CalibrationSource images = new SampleCalibration(12);
            int8 = TfliteExporter.export(spec(), weights(),
                    ExportOptions.int8(images, images.size(), 100).withClassNames(CLASS_NAMES));
        }
        return int8;
    }

    /** The app's sample images (src/main/assets/samples), as decoded by the desktop. */
    static List<BufferedImage> sampleImages() {
        Path dir = Path.of("src", "main", "assets", "samples");
        try (Stream<Path> files = Files.list(dir)) {
            List<BufferedImage> out = new ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList()) {
                BufferedImage img = ImageIO.read(p.toFile());
                if (img == null) {
                    throw new IllegalStateException("cannot decode " + p);
                }
                out.add(img);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ARGB pixels, stride = width, as Bitmap.getPixels gives them. */
    static int[] argb(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    /** Interleaved RGB bytes, as the desktop image loader gives them. */
    static byte[] rgb(BufferedImage img) {
        int[] argb = argb(img);
        byte[] out = new byte[argb.length * 3];
        for (int i = 0; i < argb.length; i++) {
            out[3 * i] = (byte) (argb[i] >> 16);
            out[3 * i + 1] = (byte) (argb[i] >> 8);
            out[3 * i + 2] = (byte) argb[i];
        }
        return out;
    }

    /** A direct copy of the model bytes, as the app gets them from its assets. */
    static ByteBuffer bytes(ExportedTflite model) {
        ByteBuffer src = model.model();
        ByteBuffer out = ByteBuffer.allocateDirect(src.remaining());
        out.put(src).flip();
        return out;
    }

    /** Calibration: the sample images letterboxed, then seeded noisy gradients. */
    private static final class SampleCalibration implements CalibrationSource {
        private final int count;
        private final List<BufferedImage> samples = sampleImages();

        SampleCalibration(int count) {
            this.count = count;
        }

        @Override
        public int size() {
            return count;
        }

        @Override
        public float[] image(int index, int width, int height) {
            if (index < samples.size()) {
                BufferedImage img = samples.get(index);
                return InputTransform.letterboxTensor(argb(img), img.getWidth(), img.getHeight(), width, height);
            }
            SplittableRandom r = new SplittableRandom(index);
            float[] out = new float[width * height * 3];
            double[] base = {r.nextDouble(), r.nextDouble(), r.nextDouble()};
            for (int i = 0; i < out.length; i++) {
                int x = (i / 3) % width;
                out[i] = (float) Math.min(1, Math.max(0, base[i % 3] * x / width + 0.1 * r.nextDouble()));
            }
            return out;
        }
    }
}
