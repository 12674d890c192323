package dev.edgeslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgeslim.compressor.blocks.ResidualBlocks;
import dev.edgeslim.compressor.prune.PruneFixtures;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.weights.DarknetWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code prune --prune-blocks N} and {@code compress --prune-blocks N}: blocks are removed after channel pruning,
 * listed in the report, and the pruned cfg stays a darknet cfg; asking for more blocks than the network has is
 * refused with one line and exit 2 before anything is written.
 */
class BlockPruningCommandTest {
    /** A 64 px model with two residual blocks (layers 2-4 and 5-7), small enough to compress in seconds. */
    static final String RESIDUAL_CFG = """
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
            filters=16
            size=3
            stride=2
            pad=1
            activation=leaky
            [convolutional]
            batch_normalize=1
            filters=8
            size=1
            stride=1
            activation=leaky
            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=1
            pad=1
            activation=leaky
            [shortcut]
            from=-3
            activation=linear
            [convolutional]
            batch_normalize=1
            filters=8
            size=1
            stride=1
            activation=mish
            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=1
            pad=1
            activation=mish
            [shortcut]
            from=-3
            activation=linear
            [convolutional]
            batch_normalize=1
            filters=16
            size=3
            stride=2
            pad=1
            activation=leaky
            [convolutional]
            filters=75
            size=1
            stride=1
            activation=linear
            [yolo]
            mask=0,1,2
            anchors=8,8, 16,16, 32,32
            classes=20
            num=3
            """;

    @TempDir
    Path dir;

    private Path[] yolov4Csp() throws Exception {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4-csp.cfg")).withInputSize(128, 128);
        Path cfg = dir.resolve("in/yolov4-csp-128.cfg");
        Path weights = dir.resolve("in/yolov4-csp-128.weights");
        CfgWriter.write(spec, cfg);
        DarknetWeights.write(PruneFixtures.sparseGammas(spec, 5), spec, weights);
        return new Path[]{cfg, weights};
    }

    @Test
    void pruneRemovesBlocksAfterChannelsAndListsThem() throws Exception {
        Path[] in = yolov4Csp();
        Path out = dir.resolve("pruned");
        CliRunner r = CliRunner.run("prune", "--cfg", in[0].toString(), "--weights", in[1].toString(), "--out",
                out.toString(), "--ratio", "0.3", "--prune-blocks", "4", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.MAPPER.readTree(r.out());
        JsonNode blocks = json.get("blocks");
        assertEquals(4, blocks.size(), r.out());
        NetworkSpec original = CfgParser.parse(in[0]);
        NetworkSpec pruned = CfgParser.parse(out.resolve("pruned.cfg"));
        int removedLayers = 0;
        for (JsonNode b : blocks) {
            removedLayers += b.get("lastLayer").asInt() - b.get("firstLayer").asInt() + 1;
            assertEquals("shortcut", original.layer(b.get("shortcut").asInt()).section());
        }
        assertEquals(original.size() - removedLayers, pruned.size());
        DarknetWeights.read(out.resolve("pruned.weights"), pruned);
        assertEquals(pruned.totalParams(), json.get("total").get("paramsAfter").asLong());
        String md = Files.readString(out.resolve("prune-report.md"));
        assertTrue(md.contains("## Removed residual blocks"), md);
        assertEquals(ResidualBlocks.locate(original).size() - 4, ResidualBlocks.locate(pruned).size());

        CliRunner text = CliRunner.run("prune", "--cfg", in[0].toString(), "--weights", in[1].toString(), "--out",
                dir.resolve("text").toString(), "--ratio", "0.3", "--prune-blocks", "2");
        assertEquals(0, text.code(), text.err());
        assertEquals(2, text.out().lines().filter(l -> l.startsWith("removed residual block: shortcut ")).count(),
                text.out());
    }

    @Test
    void moreBlocksThanTheNetworkHasIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path[] in = yolov4Csp();
        Path out = dir.resolve("refused");
        CliRunner r = CliRunner.run("prune", "--cfg", in[0].toString(), "--weights", in[1].toString(), "--out",
                out.toString(), "--ratio", "0.3", "--prune-blocks", "24");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError(), r.err());
        assertTrue(r.err().contains(in[0].toString()) && r.err().contains("cannot remove 24 residual blocks: the "
                + "network has 23 removable blocks"), r.err());
        assertFalse(Files.exists(out));

        Path tiny = ReferenceFiles.cfg("yolov4-tiny-3l.cfg");
        NetworkSpec spec = CfgParser.parse(tiny);
        Path tinyWeights = dir.resolve("tiny.weights");
        DarknetWeights.write(PruneFixtures.sparseGammas(spec, 1), spec, tinyWeights);
        r = CliRunner.run("prune", "--cfg", tiny.toString(), "--weights", tinyWeights.toString(), "--out",
                out.toString(), "--ratio", "0.3", "--prune-blocks", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("the network has 0 removable blocks"), r.err());
        assertFalse(Files.exists(out));

        r = CliRunner.run("prune", "--cfg", tiny.toString(), "--weights", tinyWeights.toString(), "--out",
                out.toString(), "--ratio", "0.3", "--prune-blocks", "-1");
        assertEquals(Command.USAGE, r.code(), r.err()); // a flag out of its range, like every other flag
        assertTrue(r.oneLineError() && r.err().contains("--prune-blocks"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void configurationsWithoutBlocksKeepTheirEarlierJson() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var none = dev.edgeslim.compressor.pipeline.PruningConfig.ratio(0.5);
        assertFalse(mapper.writeValueAsString(none).contains("blocks"), "a manifest written before block pruning "
                + "existed must still equal a run without blocks");
        assertTrue(mapper.writeValueAsString(none.withBlocks(2)).contains("\"blocks\":2"));
    }

    @Test
    void compressRemovesBlocksAndDistillsThroughTheShiftedLayers() throws Exception {
        Path voc = CompressFixture.voc(dir, 8, 2);
        CompressFixture.Model model = CompressFixture.model(dir.resolve("in"), "residual", 7, RESIDUAL_CFG);
        Path refused = dir.resolve("refused");
        CliRunner r = CompressFixture.run(CompressFixture.compress(model, voc, refused, 1, "--prune-blocks", "3"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("cannot remove 3 residual blocks: the network has 2 "
                + "removable blocks"), r.err());
        assertFalse(Files.exists(refused));

        Path run = dir.resolve("run");
        r = CompressFixture.run(CompressFixture.compress(model, voc, run, 1, "--prune-blocks", "1", "--layers", "1,8"));
        assertEquals(0, r.code(), r.err());
        NetworkSpec compressed = CfgParser.parse(run.resolve("2-prune/pruned.cfg"));
        assertEquals(CfgParser.parse(model.cfg()).size() - 3, compressed.size());
        String report = Files.readString(run.resolve("2-prune/prune-report.md"));
        assertTrue(report.contains("## Removed residual blocks"), report);
        assertTrue(Files.exists(run.resolve("3-distill")), "distillation ran on the block-pruned student");

        // a distillation layer inside a block that may be removed is refused before anything runs
        Path inside = dir.resolve("inside");
        List<String> args = CompressFixture.compress(model, voc, inside, 1, "--prune-blocks", "1", "--layers", "3");
        r = CompressFixture.run(args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.oneLineError() && r.err().contains("--layers: distillation layer 3 is in residual block "
                + "shortcut 4 (layers 2-4), which --prune-blocks may remove"), r.err());
        assertFalse(Files.exists(inside));
    }
}
