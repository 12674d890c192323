package dev.edgeslim.compressor.blocks;

import java.util.List;

/**
 * A removable residual block: a [shortcut] at {@code shortcut} that adds the output of {@code input} to the output
 * of its residual branch, the layers {@code input+1 .. shortcut-1}. Removing the branch and the shortcut leaves
 * {@code input}'s output where the shortcut's was (the identity path).
 *
 * @param importance mean |γ| of the branch's last batch norm: the scale of what the branch adds (0 when the
 *                   branch ends without batch norm, which {@link ResidualBlocks} never reports)
 */
public record ResidualBlock(int input, int shortcut, double importance) {

    /** The branch's layers, in order. */
    public List<Integer> branch() {
        return java.util.stream.IntStream.range(input + 1, shortcut).boxed().toList();
    }

    /** The last convolution of the branch, whose output the shortcut adds. */
    public int lastConv() {
        return shortcut - 1;
    }

    /** Branch and shortcut: every layer that removal deletes. */
    public List<Integer> removedLayers() {
        return java.util.stream.IntStream.rangeClosed(input + 1, shortcut).boxed().toList();
    }

    @Override
    public String toString() {
        return "shortcut " + shortcut + " (layers " + (input + 1) + "-" + shortcut + ")";
    }
}
