package dev.edgeslim.compressor.export.tflite;

import dev.edgeslim.compressor.DarknetReference;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exports a small network that uses every layer form EdgeSlim lowers and compares the real TFLite runtime's
 * outputs with {@link DarknetReference}, darknet's forward pass in plain double-precision Java.
 */
class TfliteExportParityTest {

    /** Every lowering path: SAME and PAD+VALID convs, split-grouped and depthwise convs, all six activations,
     *  route slices and concats, a three-way shortcut, SAME and PADV2 max-pools, VALID conv, upsample × scale. */
    static final String ALL_FEATURES = """
            [net]
            width=48
            height=40
            channels=3

            [convolutional]
            batch_normalize=1
            filters=8
            size=3
            stride=1
            pad=1
            activation=mish

            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=2
            pad=1
            activation=leaky

            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=1
            pad=1
            groups=4
            activation=swish

            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=1
            pad=1
            groups=16
            activation=relu

            [route]
            layers=-1
            groups=2
            group_id=1

            [convolutional]
            batch_normalize=1
            filters=8
            size=1
            stride=1
            pad=1
            activation=logistic

            [route]
            layers=-1,-2

            [shortcut]
            from=3,1
            activation=leaky

            [maxpool]
            size=2
            stride=2

            [maxpool]
            size=3
            stride=2

            [maxpool]
            size=5
            stride=1

            [convolutional]
            filters=16
            size=3
            stride=1
            activation=linear

            [convolutional]
            filters=18
            size=1
            stride=1
            activation=linear

            [yolo]
            mask=3,4,5
            anchors=10,14, 23,27, 37,58, 81,82, 135,169, 344,319
            classes=1
            num=6
            scale_x_y=1.05

            [route]
            layers=10

            [convolutional]
            batch_normalize=1
            filters=8
            size=1
            stride=1
            activation=leaky

            [upsample]
            stride=2
            scale=0.5

            [route]
            layers=-1,8

            [convolutional]
            batch_normalize=1
            filters=16
            size=5
            stride=1
            pad=1
            activation=mish

            [convolutional]
            filters=18
            size=1
            stride=1
            activation=linear

            [yolo]
            mask=0,1,2
            anchors=10,14, 23,27, 37,58, 81,82, 135,169, 344,319
            classes=1
            num=6
            """;

    static NetworkSpec allFeatures() {
        return CfgParser.parse(ALL_FEATURES, "all-features.cfg");
    }

    @Test
    void fp32MatchesDarknetsForwardPass() {
        NetworkSpec spec = allFeatures();
        WeightStore weights = WeightInitializer.forTesting(spec, 11);
        ExportedTflite model = TfliteExporter.export(spec, weights, ExportOptions.fp32());
        SyntheticImages images = new SyntheticImages(5, 3);
        try (TfliteRunner runner = TfliteRunner.load(model.model(), 1, TfliteRunner.Delegates.NONE)) {
            for (int i = 0; i < images.size(); i++) {
                float[] img = images.image(i, 48, 40);
                float[][] expected = DarknetReference.heads(spec, weights, img);
                double err = OutputErrors.maxRelative(runner.run(img), expected);
                System.out.printf("all-features fp32 image %d: max rel error %.2e%n", i, err);
                assertTrue(err < 1e-4, "fp32 error " + err);
            }
        }
    }

    @Test
    void fp16StaysCloseToDarknet() {
        NetworkSpec spec = allFeatures();
        WeightStore weights = WeightInitializer.forTesting(spec, 11);
        ExportedTflite model = TfliteExporter.export(spec, weights, ExportOptions.fp16());
        SyntheticImages images = new SyntheticImages(5, 2);
        try (TfliteRunner runner = TfliteRunner.load(model.model(), 1, TfliteRunner.Delegates.NONE)) {
            for (int i = 0; i < images.size(); i++) {
                float[] img = images.image(i, 48, 40);
                double err = OutputErrors.maxRelative(runner.run(img), DarknetReference.heads(spec, weights, img));
                System.out.printf("all-features fp16 image %d: max rel error %.2e%n", i, err);
                assertTrue(err < 5e-3, "fp16 error " + err);
            }
        }
    }

    @Test
    void int8StaysWithinQuantisationError() {
        NetworkSpec spec = allFeatures();
        WeightStore weights = WeightInitializer.forTesting(spec, 11);
        ExportedTflite model = TfliteExporter.export(spec, weights,
                ExportOptions.int8(new SyntheticImages(7, 16), 16, 100));
        SyntheticImages unseen = new SyntheticImages(99, 3);
        try (TfliteRunner runner = TfliteRunner.load(model.model(), 1, TfliteRunner.Delegates.NONE)) {
            for (int i = 0; i < unseen.size(); i++) {
                float[] img = unseen.image(i, 48, 40);
                float[][] expected = DarknetReference.heads(spec, weights, img);
                float[][] got = runner.run(img);
                for (int h = 0; h < expected.length; h++) {
                    double mean = OutputErrors.meanAbsOverRange(got[h], expected[h]);
                    double max = OutputErrors.maxAbsOverRange(got[h], expected[h]);
                    System.out.printf("all-features int8 image %d head %d: mean |err|/range %.4f, max %.4f%n",
                            i, h, mean, max);
                    assertTrue(mean < 0.02 && max < 0.15, "int8 error mean " + mean + " max " + max);
                }
            }
        }
    }

    /**
     * Pruning leaves channels, or whole layers, that are constant: here layer 3 (depthwise, ReLU) is made all
     * zero (zero kernels, negative bias) and layer 5 keeps only a bias. Degenerate calibration ranges must
     * still give a valid int8 model that agrees with darknet.
     */
    @Test
    void int8HandlesConstantFeatureMaps() {
        NetworkSpec spec = allFeatures();
        WeightStore weights = WeightInitializer.forTesting(spec, 12);
        ConvWeights dead = weights.conv(3).copy();
        java.util.Arrays.fill(dead.weights(), 0f);
        java.util.Arrays.fill(dead.biases(), -1f);
        ConvWeights biasOnly = weights.conv(5).copy();
        java.util.Arrays.fill(biasOnly.weights(), 0f);
        weights = weights.with(3, dead).with(5, biasOnly);
        ExportedTflite model = TfliteExporter.export(spec, weights, ExportOptions.int8(new SyntheticImages(7, 4), 4, 100));
        float[] img = new SyntheticImages(98, 1).image(0, 48, 40);
        float[][] expected = DarknetReference.heads(spec, weights, img);
        try (TfliteRunner runner = TfliteRunner.load(model.model(), 1, TfliteRunner.Delegates.NONE)) {
            float[][] got = runner.run(img);
            for (int h = 0; h < expected.length; h++) {
                double mean = OutputErrors.meanAbsOverRange(got[h], expected[h]);
                System.out.printf("constant maps int8 head %d: mean |err|/range %.4f%n", h, mean);
                assertTrue(mean < 0.02, "int8 error " + mean);
            }
        }
    }
}
