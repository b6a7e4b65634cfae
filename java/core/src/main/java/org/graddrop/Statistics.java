package org.graddrop;

import java.util.Arrays;

/**
 * Statistics of one call, over its mask positions (features, or elements with per-example masks).
 *
 * @param positions      the number of mask positions N
 * @param keptCounts     per task, the positions where the task's mask is 1
 * @param conflictCount  positions where some task's G is positive and another's negative
 * @param puritySum      the sum of the purity over all positions, in double
 * @param histogram      counts of purity in equal bins over [0, 1]
 */
public record Statistics(long positions, long[] keptCounts, long conflictCount, double puritySum, long[] histogram) {

    public Statistics {
        keptCounts = keptCounts.clone();
        histogram = histogram.clone();
    }

    /** The fraction of positions where task {@code task}'s gradient is kept. */
    public double keptFraction(int task) {
        return (double) keptCounts[task] / positions;
    }

    /** The fraction of positions where the tasks' signs conflict. */
    public double conflictFraction() {
        return (double) conflictCount / positions;
    }

    public double meanPurity() {
        return puritySum / positions;
    }

    @Override
    public long[] keptCounts() {
        return keptCounts.clone();
    }

    @Override
    public long[] histogram() {
        return histogram.clone();
    }

    @Override
    public String toString() {
        return "Statistics[positions=" + positions + ", keptCounts=" + Arrays.toString(keptCounts)
                + ", conflictCount=" + conflictCount + ", meanPurity=" + meanPurity()
                + ", histogram=" + Arrays.toString(histogram) + "]";
    }
}
