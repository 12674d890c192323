package dev.edgeslim.compressor.pipeline;

import dev.edgeslim.compressor.prune.GroupOptions;
import dev.edgeslim.compressor.prune.GroupPlanner.Goal;
import dev.edgeslim.compressor.prune.PlanRule;
import dev.edgeslim.compressor.prune.TargetAllocation;
import dev.edgeslim.compressor.prune.TargetMetric;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.nio.file.Path;
import java.util.List;

import static dev.edgeslim.compressor.pipeline.ConfigException.require;

/**
 * Stage 2, group channel pruning by BN |γ|: one criterion and its amount, how coupled layers agree, the per-layer
 * floors, and the groups (automatic, or a group file).
 *
 * @param amount     RATIO: fraction of each group's prunable channels, [0,1); PERCENTILE: of each group's |γ|,
 *                   [0,100); TARGET_*: fraction of the network's params or FLOPs to remove, (0,1)
 * @param allocation how a target is shared among groups (used by the TARGET_* criteria only)
 * @param groups     a group definition file, or null for automatic groups
 * @param blocks     residual blocks to remove whole after channel pruning, the least important by the |γ| of their
 *                   branch's last batch norm ({@link dev.edgeslim.compressor.blocks.ResidualBlocks}); 0: none (then
 *                   left out of the manifest's JSON, so runs recorded before block pruning existed still match)
 * @param alsoFlops  with TARGET_PARAMS: also remove at least this fraction of the FLOPs, (0,1), the plan then being
 *                   the smallest that meets both; 0: no FLOPs goal (left out of the JSON, as {@code blocks})
 */
public record PruningConfig(Criterion criterion, double amount, TargetAllocation allocation, PlanRule rule,
                            int floorK, double floorPercent, boolean round8, Path groups,
                            @JsonInclude(JsonInclude.Include.NON_DEFAULT) int blocks,
                            @JsonInclude(JsonInclude.Include.NON_DEFAULT) double alsoFlops) {
    public enum Criterion { RATIO, PERCENTILE, TARGET_PARAMS, TARGET_FLOPS }

    public PruningConfig {
        require(criterion != null && allocation != null && rule != null, "criterion, allocation and rule are required");
        switch (criterion) {
            case RATIO -> require(amount >= 0 && amount < 1, "ratio must be within [0,1), got " + amount);
            case PERCENTILE -> require(amount >= 0 && amount < 100, "percentile must be within [0,100), got " + amount);
            default -> require(amount > 0 && amount < 1, "target must be within (0,1), got " + amount);
        }
        require(floorK >= 1 && floorK <= 1 << 20, "floorK must be within [1, 2^20], got " + floorK);
        require(floorPercent >= 0 && floorPercent <= 100, "floorPercent must be within [0, 100], got " + floorPercent);
        require(blocks >= 0 && blocks <= 1 << 16, "blocks must be within [0, 65536], got " + blocks);
        require(alsoFlops == 0 || (criterion == Criterion.TARGET_PARAMS && alsoFlops > 0 && alsoFlops < 1),
                "a FLOPs goal beside the parameter target must be within (0,1) and needs a parameter target, got "
                        + alsoFlops + " with " + criterion);
    }

    /** Removes the lowest-|γ| fraction {@code ratio} of each group's prunable channels. */
    public static PruningConfig ratio(double ratio) {
        return of(Criterion.RATIO, ratio);
    }

    /** Removes channels below the {@code percentile}-th percentile of each group's |γ|. */
    public static PruningConfig percentile(double percentile) {
        return of(Criterion.PERCENTILE, percentile);
    }

    /** Removes at least the fraction {@code fraction} of the network's parameters. */
    public static PruningConfig targetParams(double fraction) {
        return of(Criterion.TARGET_PARAMS, fraction);
    }

    /** Removes at least the fraction {@code fraction} of the network's FLOPs. */
    public static PruningConfig targetFlops(double fraction) {
        return of(Criterion.TARGET_FLOPS, fraction);
    }

    private static PruningConfig of(Criterion criterion, double amount) {
        return new PruningConfig(criterion, amount, TargetAllocation.THRESHOLD, PlanRule.UNION,
                GroupOptions.DEFAULT_FLOOR_K, GroupOptions.DEFAULT_FLOOR_PERCENT, false, null, 0, 0);
    }

    public PruningConfig withAllocation(TargetAllocation a) {
        return new PruningConfig(criterion, amount, a, rule, floorK, floorPercent, round8, groups, blocks, alsoFlops);
    }

    public PruningConfig withRule(PlanRule r) {
        return new PruningConfig(criterion, amount, allocation, r, floorK, floorPercent, round8, groups, blocks, alsoFlops);
    }

    public PruningConfig withFloor(int k, double percent) {
        return new PruningConfig(criterion, amount, allocation, rule, k, percent, round8, groups, blocks, alsoFlops);
    }

    public PruningConfig withRound8(boolean round) {
        return new PruningConfig(criterion, amount, allocation, rule, floorK, floorPercent, round, groups, blocks, alsoFlops);
    }

    /** Groups from a group file instead of the automatic ones. */
    public PruningConfig withGroups(Path file) {
        return new PruningConfig(criterion, amount, allocation, rule, floorK, floorPercent, round8, file, blocks, alsoFlops);
    }

    /** Also removes the {@code count} least important residual blocks (0: none). */
    public PruningConfig withBlocks(int count) {
        return new PruningConfig(criterion, amount, allocation, rule, floorK, floorPercent, round8, groups, count, alsoFlops);
    }

    /** With a parameter target: also remove at least {@code fraction} of the FLOPs. */
    public PruningConfig withAlsoFlops(double fraction) {
        return new PruningConfig(criterion, amount, allocation, rule, floorK, floorPercent, round8, groups, blocks,
                fraction);
    }

    /** The goals of a target criterion: its own, then the FLOPs goal beside a parameter target if any. */
    public List<Goal> goals() {
        Goal own = new Goal(targetMetric(), amount);
        return alsoFlops > 0 ? List.of(own, new Goal(TargetMetric.FLOPS, alsoFlops)) : List.of(own);
    }

    public boolean isTarget() {
        return criterion == Criterion.TARGET_PARAMS || criterion == Criterion.TARGET_FLOPS;
    }

    /** The metric of a TARGET_* criterion, else null. */
    public TargetMetric targetMetric() {
        return criterion == Criterion.TARGET_PARAMS ? TargetMetric.PARAMS
                : criterion == Criterion.TARGET_FLOPS ? TargetMetric.FLOPS : null;
    }

    /** The options every group starts from (a group file may override them per group). */
    public GroupOptions groupDefaults() {
        GroupOptions base = criterion == Criterion.PERCENTILE ? GroupOptions.percentile(amount)
                : GroupOptions.ratio(criterion == Criterion.RATIO ? amount : 0);
        return base.withFloor(floorK, floorPercent).withRound8(round8);
    }
}
