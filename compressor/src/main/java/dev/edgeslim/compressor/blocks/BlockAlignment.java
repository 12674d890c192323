package dev.edgeslim.compressor.blocks;

import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.Layer;
import dev.edgeslim.detector.model.NetworkSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which layer of a pruned network each layer of the network it came from became, when pruning removed residual
 * blocks (and channels): the pruned network must be the original with some of its removable blocks
 * ({@link ResidualBlocks#locate}) taken out. Found by matching the two layer sequences, where a block of the
 * original may be skipped whole; a match is then confirmed by removing the skipped blocks
 * ({@link BlockSurgeon#layout}) and comparing every layer's type, inputs and feature-map size.
 */
public final class BlockAlignment {
    private BlockAlignment() {
    }

    /**
     * Original layer index to pruned index, -1 for layers of removed blocks; throws {@link IllegalArgumentException}
     * saying where the networks differ when the pruned one is not the original minus whole blocks.
     */
    public static int[] map(NetworkSpec original, NetworkSpec pruned) {
        int n = original.size();
        int m = pruned.size();
        Map<Integer, ResidualBlock> startingAt = new HashMap<>();
        for (ResidualBlock b : ResidualBlocks.locate(original)) {
            startingAt.put(b.input() + 1, b);
        }
        byte[][] memo = new byte[n + 1][m + 1]; // 0 unknown, 1 matches, 2 does not
        if (!matches(original, pruned, 0, 0, startingAt, memo)) {
            throw new IllegalArgumentException(firstDifference(original, pruned));
        }
        List<ResidualBlock> skipped = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n) {
            if (j < m && similar(original, i, pruned, j) && memo[i + 1][j + 1] == 1) {
                i++;
                j++;
            } else {
                ResidualBlock b = startingAt.get(i);
                skipped.add(b);
                i = b.shortcut() + 1;
            }
        }
        BlockSurgeon.Layout checked = BlockSurgeon.layout(original, skipped);
        for (int l = 0; l < m; l++) {
            Layer a = checked.spec().layer(l);
            Layer b = pruned.layer(l);
            if (!a.section().equals(b.section()) || !a.inputs(l).equals(b.inputs(l))
                    || checked.spec().shapeOf(l).height() != pruned.shapeOf(l).height()
                    || checked.spec().shapeOf(l).width() != pruned.shapeOf(l).width()) {
                throw new IllegalArgumentException("the networks differ at layer " + l + " of the pruned one: "
                        + a.section() + " " + checked.spec().shapeOf(l) + " vs " + b.section() + " "
                        + pruned.shapeOf(l));
            }
        }
        return checked.newIndex();
    }

    private static boolean matches(NetworkSpec a, NetworkSpec b, int i, int j, Map<Integer, ResidualBlock> startingAt,
                                   byte[][] memo) {
        if (memo[i][j] != 0) {
            return memo[i][j] == 1;
        }
        boolean ok;
        if (i == a.size()) {
            ok = j == b.size();
        } else {
            ok = j < b.size() && similar(a, i, b, j) && matches(a, b, i + 1, j + 1, startingAt, memo);
            ResidualBlock block = startingAt.get(i);
            if (!ok && block != null) {
                ok = matches(a, b, block.shortcut() + 1, j, startingAt, memo);
            }
        }
        memo[i][j] = (byte) (ok ? 1 : 2);
        return ok;
    }

    /** Same layer but for its channel count: type, options, number of inputs and feature-map size. */
    private static boolean similar(NetworkSpec a, int i, NetworkSpec b, int j) {
        Layer x = a.layer(i);
        Layer y = b.layer(j);
        if (!x.section().equals(y.section()) || a.inputsOf(i).size() != b.inputsOf(j).size()
                || a.shapeOf(i).height() != b.shapeOf(j).height() || a.shapeOf(i).width() != b.shapeOf(j).width()) {
            return false;
        }
        if (x instanceof ConvLayer cx && y instanceof ConvLayer cy) {
            return cx.withFilters(cy.filters()).equals(cy);
        }
        return true;
    }

    private static String firstDifference(NetworkSpec original, NetworkSpec pruned) {
        int l = 0;
        while (l < Math.min(original.size(), pruned.size()) && similar(original, l, pruned, l)) {
            l++;
        }
        return "the pruned network is not the original with whole residual blocks removed; they first differ at layer "
                + l;
    }
}
