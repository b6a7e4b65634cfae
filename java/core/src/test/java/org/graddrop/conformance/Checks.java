package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.graddrop.Statistics;

/** Assertions shared by the conformance tests. */
final class Checks {

    /** Relative tolerance of a float32 result against the float64 reference. */
    static final double RELATIVE = 2e-5;

    private Checks() {
    }

    /**
     * Compares a float32 result with the float64 reference. Positions the reference flags as
     * ambiguous are skipped; their number must stay within {@code maxAmbiguous}.
     */
    static void assertMatchesReference(Float64Reference.Expected expected, Runs.Result actual, Settings settings,
                                       Data data, int maxAmbiguous, String label) {
        assertTrue(expected.ambiguousCount() <= maxAmbiguous, label + ": " + expected.ambiguousCount()
                + " positions have f(P) within the margin of U or an uncertain sign, more than " + maxAmbiguous);

        int positions = expected.purity().length;
        boolean perFeature = positions == data.features();
        for (int i = 0; i < data.elements(); i++) {
            int position = perFeature ? i % data.features() : i;
            if (expected.ambiguous()[position]) {
                continue;
            }
            double magnitude = 0.0;
            for (int k = 0; k < data.tasks(); k++) {
                magnitude += Math.abs(expected.taskOutputs()[k][i]);
            }
            assertClose(expected.output()[i], actual.output()[i], magnitude * Math.abs(expected.scale()),
                    label + ": output[" + i + "] (position " + position + ")");
            if (actual.taskOutputs() != null) {
                for (int k = 0; k < data.tasks(); k++) {
                    double term = expected.taskOutputs()[k][i];
                    assertClose(term, actual.taskOutputs()[k][i], Math.abs(term),
                            label + ": taskOutputs[" + k + "][" + i + "] (mask " + expected.mask()[k][position] + ")");
                }
            }
        }

        Statistics statistics = actual.statistics();
        if (statistics != null) {
            assertStatistics(expected, statistics, label);
        }
    }

    static void assertStatistics(Float64Reference.Expected expected, Statistics statistics, String label) {
        int positions = expected.purity().length;
        int slack = expected.ambiguousCount();
        assertEquals(positions, statistics.positions(), label + ": statistics positions");
        long[] kept = statistics.keptCounts();
        assertEquals(expected.keptCounts().length, kept.length, label + ": kept counts per task");
        for (int k = 0; k < kept.length; k++) {
            assertTrue(Math.abs(kept[k] - expected.keptCounts()[k]) <= slack, label + ": kept count of task " + k
                    + " is " + kept[k] + ", expected " + expected.keptCounts()[k] + " ± " + slack);
            assertWithin((double) expected.keptCounts()[k] / positions, statistics.keptFraction(k),
                    (double) slack / positions + 1e-12, label + ": kept fraction of task " + k);
        }
        assertTrue(Math.abs(statistics.conflictCount() - expected.conflictCount()) <= slack, label + ": conflict count "
                + statistics.conflictCount() + ", expected " + expected.conflictCount() + " ± " + slack);
        assertWithin(expected.conflictCount() / (double) positions, statistics.conflictFraction(),
                (double) slack / positions + 1e-12, label + ": conflict fraction");
        assertClose(expected.puritySum(), statistics.puritySum(), positions, label + ": purity sum");
        assertClose(expected.puritySum() / positions, statistics.meanPurity(), 1.0, label + ": mean purity");

        long[] histogram = statistics.histogram();
        assertEquals(expected.histogram().length, histogram.length, label + ": histogram bins");
        long total = 0;
        for (int bin = 0; bin < histogram.length; bin++) {
            total += histogram[bin];
            assertTrue(Math.abs(histogram[bin] - expected.histogram()[bin]) <= expected.histogramAmbiguous(),
                    label + ": histogram bin " + bin + " has " + histogram[bin] + ", expected " + expected.histogram()[bin]
                            + " ± " + expected.histogramAmbiguous());
        }
        long expectedTotal = 0;
        for (long count : expected.histogram()) {
            expectedTotal += count;
        }
        assertEquals(expectedTotal, total, label + ": histogram total");
    }

    /** |expected − actual| ≤ RELATIVE · magnitude, with NaN matching only NaN. */
    static void assertClose(double expected, double actual, double magnitude, String label) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            assertEquals(Double.isNaN(expected), Double.isNaN(actual), label + ": expected " + expected + ", got " + actual);
            return;
        }
        if (Double.isInfinite(expected)) {
            assertEquals(expected, actual, label);
            return;
        }
        double tolerance = RELATIVE * magnitude + Float.MIN_NORMAL;
        if (!(Math.abs(expected - actual) <= tolerance)) {
            fail(label + ": expected " + expected + ", got " + actual + " (tolerance " + tolerance + ")");
        }
    }

    static void assertWithin(double expected, double actual, double tolerance, String label) {
        if (!(Math.abs(expected - actual) <= tolerance)) {
            fail(label + ": expected " + expected + ", got " + actual + " (tolerance " + tolerance + ")");
        }
    }

    /** Bit-for-bit equality of everything two calls wrote; NaN equals NaN only with the same bits. */
    static void assertSameBits(Runs.Result expected, Runs.Result actual, String label) {
        assertFloatBits(expected.output(), actual.output(), label + ": output");
        if (expected.taskOutputs() != null) {
            assertNotNull(actual.taskOutputs(), label + ": task outputs");
            for (int k = 0; k < expected.taskOutputs().length; k++) {
                assertFloatBits(expected.taskOutputs()[k], actual.taskOutputs()[k], label + ": taskOutputs[" + k + "]");
            }
        }
        assertSameStatistics(expected.statistics(), actual.statistics(), label);
    }

    static void assertSameStatistics(Statistics expected, Statistics actual, String label) {
        if (expected == null) {
            assertEquals(null, actual, label + ": statistics");
            return;
        }
        assertNotNull(actual, label + ": statistics");
        assertEquals(expected.positions(), actual.positions(), label + ": statistics positions");
        assertArrayEquals(expected.keptCounts(), actual.keptCounts(), label + ": kept counts");
        assertEquals(expected.conflictCount(), actual.conflictCount(), label + ": conflict count");
        // NaN sign and payload bits are not reproducible even within one JVM (interpreted and JIT-compiled
        // code differ), so any NaN matches any NaN here as in assertFloatBits.
        boolean bothNaN = Double.isNaN(expected.puritySum()) && Double.isNaN(actual.puritySum());
        if (!bothNaN) {
            assertEquals(Double.doubleToRawLongBits(expected.puritySum()), Double.doubleToRawLongBits(actual.puritySum()),
                    label + ": purity sum " + expected.puritySum() + " vs " + actual.puritySum());
        }
        assertArrayEquals(expected.histogram(), actual.histogram(), label + ": histogram");
    }

    /** Float.floatToRawIntBits equality, except that any NaN equals any NaN. */
    static void assertFloatBits(float[] expected, float[] actual, String label) {
        assertEquals(expected.length, actual.length, label + ": length");
        for (int i = 0; i < expected.length; i++) {
            boolean bothNaN = Float.isNaN(expected[i]) && Float.isNaN(actual[i]);
            if (!bothNaN && Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(label + "[" + i + "]: expected " + expected[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[i]))
                        + "), got " + actual[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }

    /** Asserts that every element still contains the sentinel, so nothing was written. */
    static void assertUnwritten(float[] values, String label) {
        for (int i = 0; i < values.length; i++) {
            assertEquals(Float.floatToRawIntBits(Runs.SENTINEL), Float.floatToRawIntBits(values[i]),
                    label + "[" + i + "] was written");
        }
    }
}
