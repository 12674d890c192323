package dev.edgeslim.compressor.prune;

/**
 * How much of one group to prune and the limits on it.
 *
 * @param criterion    {@link Criterion#RATIO}: remove the {@code amount} fraction (in [0,1)) of the group's
 *                     prunable (conv, channel) pairs with the lowest |γ|; {@link Criterion#PERCENTILE}: remove
 *                     pairs whose |γ| is below the {@code amount}-th percentile (in [0,100)) of the group's |γ|
 * @param floorK       every coupled set keeps at least max(floorK, ceil(floorPercent% of its channels))
 * @param floorPercent see floorK, in [0,100]
 * @param round8       round kept counts up to a multiple of 8 (within the set's channel count)
 * @param weight       only for target search ({@link TargetAllocation}): the group reads the common level
 *                     scaled by its weight (quantile q · weight, or |γ| threshold t · weight); 0 freezes the
 *                     group, 2 prunes it harder
 */
public record GroupOptions(Criterion criterion, double amount, int floorK, double floorPercent, boolean round8,
                           double weight) {
    public static final int DEFAULT_FLOOR_K = 4;
    public static final double DEFAULT_FLOOR_PERCENT = 10;

    public enum Criterion { RATIO, PERCENTILE }

    public GroupOptions {
        if (criterion == Criterion.RATIO && !(amount >= 0 && amount < 1)) {
            throw new IllegalArgumentException("ratio must be within [0,1), got " + amount);
        }
        if (criterion == Criterion.PERCENTILE && !(amount >= 0 && amount < 100)) {
            throw new IllegalArgumentException("percentile must be within [0,100), got " + amount);
        }
        if (floorK < 1 || floorK > 1 << 20) {
            throw new IllegalArgumentException("floor k must be at least 1, got " + floorK);
        }
        if (!(floorPercent >= 0 && floorPercent <= 100)) {
            throw new IllegalArgumentException("floor percent must be within [0,100], got " + floorPercent);
        }
        if (!(weight >= 0 && weight <= 1000)) {
            throw new IllegalArgumentException("weight must be within [0,1000], got " + weight);
        }
    }

    public static GroupOptions ratio(double ratio) {
        return new GroupOptions(Criterion.RATIO, ratio, DEFAULT_FLOOR_K, DEFAULT_FLOOR_PERCENT, false, 1);
    }

    public static GroupOptions percentile(double percentile) {
        return new GroupOptions(Criterion.PERCENTILE, percentile, DEFAULT_FLOOR_K, DEFAULT_FLOOR_PERCENT, false, 1);
    }

    public GroupOptions withRatio(double ratio) {
        return new GroupOptions(Criterion.RATIO, ratio, floorK, floorPercent, round8, weight);
    }

    public GroupOptions withPercentile(double percentile) {
        return new GroupOptions(Criterion.PERCENTILE, percentile, floorK, floorPercent, round8, weight);
    }

    public GroupOptions withFloor(int k, double percent) {
        return new GroupOptions(criterion, amount, k, percent, round8, weight);
    }

    public GroupOptions withRound8(boolean round) {
        return new GroupOptions(criterion, amount, floorK, floorPercent, round, weight);
    }

    public GroupOptions withWeight(double w) {
        return new GroupOptions(criterion, amount, floorK, floorPercent, round8, w);
    }

    /** The least number of channels a set of {@code channels} keeps under this group's floor. */
    public int floor(int channels) {
        int pct = (int) Math.ceil(floorPercent / 100.0 * channels - 1e-9);
        return Math.max(1, Math.min(channels, Math.max(floorK, pct)));
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s %.4g", criterion == Criterion.RATIO ? "ratio" : "percentile",
                amount) + ", floor max("
                + floorK + ", " + floorPercent + "%)" + (round8 ? ", round8" : "") + (weight != 1 ? ", weight " + weight : "");
    }
}
