package dev.edgeslim.compressor.blocks;

import dev.edgeslim.compressor.prune.PruneFixtures;
import dev.edgeslim.compressor.prune.PrunedNetwork;
import dev.edgeslim.detector.ReferenceFiles;
import dev.edgeslim.detector.cfg.CfgParser;
import dev.edgeslim.detector.cfg.CfgWriter;
import dev.edgeslim.detector.graph.InferenceModel;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.weights.DarknetWeights;
import dev.edgeslim.detector.weights.WeightInitializer;
import dev.edgeslim.detector.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Removing residual blocks equals zeroing their branches. The reference ({@link BlockSurgeon#zeroed}) keeps every
 * layer but sets γ = 0 and β = 0 on each removed block's last convolution: its batch norm then outputs exactly 0,
 * Mish(0) = 0 (0 · tanh(softplus 0)) and the linear shortcut adds 0, so the shortcut outputs its input exactly —
 * which is what the network without the block computes. Both networks run as TF graphs on the same images at
 * 128 px with seeded weights (γ in [0.5, 1.5], activations of order 1, so every branch changes the output).
 */
class BlockSurgeonTest {
    static final int SIZE = 128;

    @ParameterizedTest(name = "{0}: {1} blocks")
    @CsvSource({"yolov4.cfg, 23, 6", "yolov4.cfg, 23, 23", "yolov4-csp.cfg, 23, 5"})
    void removedBlocksEqualZeroedBranches(String cfg, int expectedBlocks, int remove, @TempDir Path tmp)
            throws Exception {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg(cfg)).withInputSize(SIZE, SIZE);
        WeightStore weights = WeightInitializer.forTesting(spec, 7);
        List<ResidualBlock> all = ResidualBlocks.find(spec, weights);
        assertEquals(expectedBlocks, all.size(), "blocks found in " + cfg);
        for (ResidualBlock b : all) {
            assertTrue(spec.layer(b.shortcut()) instanceof ShortcutLayer);
        }
        List<ResidualBlock> chosen = ResidualBlocks.leastImportant(spec, weights, remove);
        double worstKept = ResidualBlocks.ranked(spec, weights).subList(0, remove).stream()
                .mapToDouble(ResidualBlock::importance).max().orElseThrow();
        for (ResidualBlock b : all) {
            if (!chosen.contains(b)) {
                assertTrue(b.importance() >= worstKept, "a more important block was removed");
            }
        }
        BlockSurgeon.Result removal = BlockSurgeon.remove(spec, weights, chosen);
        NetworkSpec pruned = removal.network().spec();
        int removedLayers = chosen.stream().mapToInt(b -> b.removedLayers().size()).sum();
        assertEquals(spec.size() - removedLayers, pruned.size());
        assertTrue(pruned.totalParams() < spec.totalParams() && pruned.totalFlops() < spec.totalFlops());
        assertEquals(spec.yoloLayers().size(), pruned.yoloLayers().size());

        // the cfg stays a darknet cfg: written and read back, with its weights
        Path prunedCfg = tmp.resolve("pruned.cfg");
        Path prunedWeights = tmp.resolve("pruned.weights");
        CfgWriter.write(pruned, prunedCfg);
        DarknetWeights.write(removal.network().weights(), pruned, prunedWeights);
        NetworkSpec back = CfgParser.parse(prunedCfg);
        assertEquals(pruned, back);
        WeightStore backWeights = DarknetWeights.read(prunedWeights, back);

        PrunedNetwork zeroed = BlockSurgeon.zeroed(spec, weights, chosen);
        float[] images = images(2);
        try (InferenceModel reference = InferenceModel.create(spec, zeroed.weights(), 2);
             InferenceModel without = InferenceModel.create(back, backWeights, 2);
             InferenceModel original = InferenceModel.create(spec, weights, 2)) {
            float[][] expected = reference.run(images, 2);
            float[][] got = without.run(images, 2);
            float[][] unpruned = original.run(images, 2);
            double err = maxRelative(got, expected);
            double change = maxRelative(unpruned, expected);
            System.out.printf("%s @%d without %d of %d blocks (%,d -> %,d params): max rel diff %.1e to the zeroed "
                    + "branches (%.1e to the unpruned network)%n", cfg, SIZE, remove, all.size(), spec.totalParams(),
                    pruned.totalParams(), err, change);
            assertTrue(err < 1e-5, "error " + err);
            assertTrue(change > 1e-3, "the zeroed branches changed nothing, so the test would prove nothing");
        }
    }

    @Test
    void alignmentFindsWhereEveryLayerOutsideTheBlocksWent() {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg")).withInputSize(SIZE, SIZE);
        WeightStore weights = PruneFixtures.sparseGammas(spec, 3);
        List<ResidualBlock> all = ResidualBlocks.find(spec, weights);
        java.util.Set<Integer> inBlocks = new java.util.HashSet<>();
        all.forEach(b -> inBlocks.addAll(b.removedLayers()));
        for (int count : new int[]{1, 7, 23}) {
            BlockSurgeon.Result removal = BlockSurgeon.remove(spec, weights,
                    ResidualBlocks.leastImportant(spec, weights, count));
            int[] map = BlockAlignment.map(spec, removal.network().spec());
            for (int l = 0; l < spec.size(); l++) {
                if (!inBlocks.contains(l)) {
                    assertEquals(removal.newIndex()[l], map[l], "layer " + l + " with " + count + " blocks removed");
                }
            }
            assertEquals(count * 3L, java.util.Arrays.stream(map).filter(i -> i < 0).count());
        }
        // same layer count but another network is not an alignment
        NetworkSpec csp = CfgParser.parse(ReferenceFiles.cfg("yolov4-csp.cfg")).withInputSize(SIZE, SIZE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlockAlignment.map(spec, csp));
        assertTrue(e.getMessage().contains("not the original with whole residual blocks removed"), e.getMessage());
    }

    @Test
    void networksWithoutResidualBlocksHaveNoneToRemove() {
        for (String cfg : new String[]{"yolov4-tiny-3l.cfg", "yolov4-tiny.cfg", "yolov3-tiny.cfg"}) {
            NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg(cfg));
            WeightStore weights = PruneFixtures.sparseGammas(spec, 1);
            assertEquals(List.of(), ResidualBlocks.find(spec, weights), cfg);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ResidualBlocks.leastImportant(spec, weights, 1));
            assertEquals("cannot remove 1 residual blocks: the network has 0 removable blocks", e.getMessage());
        }
    }

    @Test
    void aBlockOfAnotherNetworkIsRefused() {
        NetworkSpec spec = CfgParser.parse(ReferenceFiles.cfg("yolov4.cfg"));
        WeightStore weights = PruneFixtures.sparseGammas(spec, 1);
        ResidualBlock notABlock = new ResidualBlock(0, 3, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BlockSurgeon.remove(spec, weights, List.of(notABlock)));
        assertTrue(e.getMessage().contains("not a removable residual block"), e.getMessage());
    }

    static float[] images(int count) {
        SplittableRandom rng = new SplittableRandom(5);
        float[] out = new float[count * SIZE * SIZE * 3];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) rng.nextDouble();
        }
        return out;
    }

    static double maxRelative(float[][] actual, float[][] reference) {
        double scale = 0;
        double diff = 0;
        for (int h = 0; h < reference.length; h++) {
            for (int i = 0; i < reference[h].length; i++) {
                scale = Math.max(scale, Math.abs(reference[h][i]));
                diff = Math.max(diff, Math.abs(actual[h][i] - reference[h][i]));
            }
        }
        return diff / Math.max(scale, 1e-12);
    }
}
