package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.graddrop.PurityForm;
import org.graddrop.Statistics;
import org.graddrop.TieRule;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Exact small cases for ties f == U, zero signed gradients, leaks and statistics. */
@Tag("conformance")
class TieRulesTest {

    /** Two tasks with opposite gradients: S = 0, so P = ½ exactly in both purity forms. */
    private static final Data OPPOSITE = new Data(2, 1, 1, false, new float[][] {{1.0f}, {-1.0f}}, null);

    private static float single(Settings settings, Data data, float u) {
        return Runs.run(settings.builder().build(), data, new float[] {u}).output()[0];
    }

    @Test
    void paperTieDropsBothSigns() {
        Settings paper = Settings.of(Preset.PAPER);

        assertEquals(0.0f, single(paper, OPPOSITE, 0.5f), "f == U");
        assertEquals(1.0f, single(paper, OPPOSITE, Math.nextDown(0.5f)), "f > U keeps the positive task");
        assertEquals(-1.0f, single(paper, OPPOSITE, Math.nextUp(0.5f)), "f < U keeps the negative task");
    }

    @Test
    void lingvoTieKeepsPositiveSign() {
        for (PurityForm form : PurityForm.values()) {
            Settings lingvoTies = Settings.of(Preset.PAPER).withPurityForm(form).withTieRule(TieRule.LINGVO);

            assertEquals(1.0f, single(lingvoTies, OPPOSITE, 0.5f), form + ": f == U");
            assertEquals(1.0f, single(lingvoTies, OPPOSITE, Math.nextDown(0.5f)), form + ": f > U");
            assertEquals(-1.0f, single(lingvoTies, OPPOSITE, Math.nextUp(0.5f)), form + ": f < U");
        }
    }

    @Test
    void lingvoPresetWithoutNormKeepsPositiveOnTie() {
        Settings lingvo = Settings.of(Preset.LINGVO).withNormMode(NormMode.NONE);

        assertEquals(1.0f, single(lingvo, OPPOSITE, 0.5f));
    }

    @Test
    void tieWithPerTaskLeaks() {
        Settings paper = Settings.of(Preset.PAPER).withLeaks(0.25f, 0.5f);

        assertEquals(0.25f - 0.5f, single(paper, OPPOSITE, 0.5f), "both dropped: 0.25·1 + 0.5·(−1)");
        assertEquals(1.0f - 0.5f, single(paper, OPPOSITE, 0.25f), "positive kept: 1 + 0.5·(−1)");
    }

    @Test
    void zeroSignedGradient() {
        Data zeroSecond = new Data(2, 1, 1, false, new float[][] {{2.0f}, {0.0f}}, null);
        Data zeroActivation = new Data(2, 1, 1, true, new float[][] {{2.0f}, {3.0f}}, new float[] {0.0f});

        assertEquals(2.0f, single(Settings.of(Preset.PAPER), zeroSecond, 0.5f), "paper keeps the positive task only");
        assertEquals(0.0f, single(Settings.of(Preset.PAPER), zeroActivation, 0.5f), "paper drops G = 0");

        Settings lingvoTies = Settings.of(Preset.PAPER).withTieRule(TieRule.LINGVO);
        assertEquals(5.0f, single(lingvoTies, zeroActivation, 0.5f), "lingvo keeps G = 0");
        assertEquals(5.0f, single(lingvoTies, zeroActivation, 0.999f), "lingvo keeps G = 0 whatever U");
    }

    @Test
    void handComputedStatistics() {
        // Positions: (+, +) P = 1, (+, −) P = 0.75, (−, −) P = 0, (0, +) P = 1.
        Data data = new Data(2, 1, 4, false, new float[][] {{1, 3, -1, 0}, {1, -1, -2, 2}}, null);
        Settings settings = Settings.of(Preset.PAPER).withHistogramBins(4);

        Runs.Result result = Runs.run(settings.builder().build(), data, new float[] {0.5f, 0.5f, 0.5f, 0.5f});
        Statistics statistics = result.statistics();

        assertArrayEquals(new float[] {2, 3, -3, 2}, result.output());
        assertArrayEquals(new float[] {1, 3, -1, 0}, result.taskOutputs()[0]);
        assertArrayEquals(new float[] {1, -0.0f, -2, 2}, result.taskOutputs()[1], "a dropped −1 times leak 0 is −0");
        assertEquals(4, statistics.positions());
        assertArrayEquals(new long[] {3, 3}, statistics.keptCounts());
        assertEquals(0.75, statistics.keptFraction(0));
        assertEquals(1, statistics.conflictCount());
        assertEquals(0.25, statistics.conflictFraction());
        assertEquals(2.75, statistics.puritySum());
        assertEquals(2.75 / 4, statistics.meanPurity());
        assertArrayEquals(new long[] {1, 0, 0, 3}, statistics.histogram());
    }

    @Test
    void noStatisticsUnlessRequested() {
        Runs.Result result = Runs.run(Settings.of(Preset.PAPER).builder().build(), OPPOSITE,
                org.graddrop.Noise.explicit(new float[] {0.5f}), Runs.Layout.BLOCK, false, false);

        assertEquals(null, result.statistics());
    }
}
