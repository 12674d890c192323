package dev.edgeslim.compressor.blocks;

import dev.edgeslim.detector.model.Activation;
import dev.edgeslim.detector.model.ConvLayer;
import dev.edgeslim.detector.model.NetworkSpec;
import dev.edgeslim.detector.model.ShortcutLayer;
import dev.edgeslim.detector.model.YoloLayer;
import dev.edgeslim.detector.weights.ConvWeights;
import dev.edgeslim.detector.weights.WeightStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds the residual blocks of a network that can be removed whole, from the {@link NetworkSpec} alone. A
 * [shortcut] at s is a removable block when:
 * <ul>
 *   <li>it adds exactly one other layer f ({@code from}) to its previous layer, and its activation is linear, so
 *       without the branch its output is exactly f's output;</li>
 *   <li>its branch is the contiguous run f+1 .. s-1 (darknet's residual pattern): f+1 reads f, every branch layer
 *       reads only f or branch layers, and nothing outside the branch reads a branch layer except s reading s-1.
 *       Then layer s+1's implicit "previous layer" becomes f once the run is gone, and every other reference to s
 *       can be pointed at f;</li>
 *   <li>the branch ends in a batch-normalised convolution (its γ ranks the block) and holds no [shortcut] of its
 *       own (blocks are not nested) and no [yolo];</li>
 *   <li>something reads s (a network output is not rewired).</li>
 * </ul>
 * Shapes stay valid because a shortcut's output has its inputs' shape.
 */
public final class ResidualBlocks {
    private ResidualBlocks() {
    }

    /** Every removable block, in layer order, with its importance from {@code weights}. */
    public static List<ResidualBlock> find(NetworkSpec spec, WeightStore weights) {
        List<ResidualBlock> out = new ArrayList<>();
        for (ResidualBlock b : locate(spec)) {
            out.add(new ResidualBlock(b.input(), b.shortcut(), meanAbsGamma(weights.conv(b.lastConv()))));
        }
        return out;
    }

    /** Every removable block, in layer order, from the network alone (importance 0). */
    public static List<ResidualBlock> locate(NetworkSpec spec) {
        List<ResidualBlock> out = new ArrayList<>();
        for (int s = 0; s < spec.size(); s++) {
            int f = removableInput(spec, s);
            if (f >= 0) {
                out.add(new ResidualBlock(f, s, 0));
            }
        }
        return out;
    }

    /** The blocks sorted by ascending importance (ties: later blocks first, as deeper blocks matter less). */
    public static List<ResidualBlock> ranked(NetworkSpec spec, WeightStore weights) {
        List<ResidualBlock> blocks = new ArrayList<>(find(spec, weights));
        blocks.sort(Comparator.comparingDouble(ResidualBlock::importance)
                .thenComparing(Comparator.comparingInt(ResidualBlock::shortcut).reversed()));
        return blocks;
    }

    /** The {@code count} least important blocks, in layer order; throws when the network has fewer. */
    public static List<ResidualBlock> leastImportant(NetworkSpec spec, WeightStore weights, int count) {
        String tooMany = whyNotRemovable(spec, count);
        if (tooMany != null) {
            throw new IllegalArgumentException(tooMany);
        }
        List<ResidualBlock> ranked = ranked(spec, weights);
        List<ResidualBlock> chosen = new ArrayList<>(ranked.subList(0, count));
        chosen.sort(Comparator.comparingInt(ResidualBlock::shortcut));
        return chosen;
    }

    /** Null when the network has at least {@code count} removable blocks, else a one-line reason. */
    public static String whyNotRemovable(NetworkSpec spec, int count) {
        int have = locate(spec).size();
        return count <= have ? null : "cannot remove " + count + " residual blocks: the network has " + have
                + " removable " + (have == 1 ? "block" : "blocks");
    }

    /** The block's input f when the shortcut at {@code s} is a removable block, else -1. */
    static int removableInput(NetworkSpec spec, int s) {
        if (!(spec.layer(s) instanceof ShortcutLayer sc) || sc.from().size() != 1
                || sc.activation() != Activation.LINEAR || spec.consumersOf(s).isEmpty()) {
            return -1;
        }
        int f = sc.from().get(0);
        if (f < 0 || f >= s - 1 || !(spec.layer(s - 1) instanceof ConvLayer last) || !last.batchNormalize()) {
            return -1;
        }
        for (int b = f + 1; b < s; b++) {
            if (spec.layer(b) instanceof ShortcutLayer || spec.layer(b) instanceof YoloLayer) {
                return -1;
            }
            for (int in : spec.inputsOf(b)) {
                if (in < f || in >= b) {
                    return -1;
                }
            }
            for (int consumer : spec.consumersOf(b)) {
                boolean inside = consumer > f && consumer < s;
                if (!inside && !(b == s - 1 && consumer == s)) {
                    return -1;
                }
            }
        }
        return spec.inputsOf(f + 1).contains(f) ? f : -1;
    }

    private static double meanAbsGamma(ConvWeights w) {
        double sum = 0;
        for (float g : w.scales()) {
            sum += Math.abs(g);
        }
        return sum / w.scales().length;
    }
}
