package dev.edgeslim.cli;

import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code compress} end to end on a model built of depthwise blocks (1x1 expand, 3x3 depthwise, 1x1 project, as in
 * Yolo-Fastest and MobileNetV2): sparse training, pruning (a depthwise layer shrinks together with the layer that
 * feeds it and stays depthwise), distillation, evaluation and the report, on the synthetic VOC at 64 px.
 */
class DepthwiseCompressTest {
    static final String CFG = """
            [net]
            width=64
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
            filters=32
            size=1
            activation=leaky

            [convolutional]
            batch_normalize=1
            groups=32
            filters=32
            size=3
            stride=2
            pad=1
            activation=leaky

            [convolutional]
            batch_normalize=1
            filters=16
            size=1
            activation=linear

            [convolutional]
            batch_normalize=1
            filters=48
            size=1
            activation=leaky

            [convolutional]
            batch_normalize=1
            groups=48
            filters=48
            size=3
            stride=2
            pad=1
            activation=leaky

            [convolutional]
            batch_normalize=1
            filters=16
            size=1
            activation=leaky

            [convolutional]
            filters=75
            size=1
            activation=linear

            [yolo]
            mask=0,1,2
            anchors=8,8, 16,16, 32,32
            classes=20
            num=3
            """;

    @Test
    void compressRunsEndToEndOnADepthwiseModel(@TempDir Path dir) throws IOException {
        Path voc = CompressFixture.voc(dir, 8, 4);
        CompressFixture.Model model = CompressFixture.model(dir.resolve("m"), "depthwise", 11, CFG);
        Path run = dir.resolve("run");
        CliRunner r = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--ratio", "0.5"));
        assertEquals(0, r.code(), r.err());
        Path prunedCfg;
        try (Stream<Path> s = Files.walk(run)) {
            prunedCfg = s.filter(p -> p.getFileName().toString().equals("pruned.cfg")).findFirst().orElseThrow();
        }
        NetworkSpec before = CfgParser.parse(model.cfg());
        NetworkSpec after = CfgParser.parse(prunedCfg);
        for (int l : new int[]{2, 5}) {
            ConvLayer dw = after.conv(l);
            assertTrue(dw.depthwise(after.inputChannelsOf(l)), "layer " + l + " stays depthwise: " + dw);
            assertEquals(after.conv(l - 1).filters(), dw.filters(), "it keeps the channels its input keeps");
            assertTrue(dw.filters() < before.conv(l).filters(), "layer " + l + " loses channels");
        }
        assertTrue(after.totalParams() < 0.8 * before.totalParams(), after.totalParams() + " of " + before.totalParams());
        assertTrue(Files.readString(run.resolve("report.md")).contains("pruned + distilled"));
    }
}
