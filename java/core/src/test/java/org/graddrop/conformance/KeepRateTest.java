package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.Preset;
import org.graddrop.PurityForm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Over many steps of seeded noise, a positive gradient is kept at rate f(P) and a negative one at
 * 1 − f(P), within a binomial bound. The seeds are fixed, so the test is deterministic. The bound
 * of five standard deviations leaves room for the sampled noise and still catches a wrong f or a
 * biased U.
 */
@Tag("conformance")
class KeepRateTest {

    private static final double[] PURITIES = {0.1, 0.3, 0.5, 0.8};
    private static final int FEATURES_PER_PURITY = 500;
    private static final int STEPS = 24;

    static Settings[] keepFunctions() {
        Settings paper = Settings.of(Preset.TORCHJD);
        return new Settings[] {
            paper,
            paper.withKeepFunction(KeepFunction.linear(0.5f)),
            paper.withKeepFunction(KeepFunction.sigmoid(2.0f)),
            paper.withPurityForm(PurityForm.LINGVO).withKeepFunction(KeepFunction.linear(1.2f)),
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keepFunctions")
    void keptAtKeepProbability(Settings settings) {
        int features = PURITIES.length * FEATURES_PER_PURITY;
        float[] positive = new float[features];
        float[] negative = new float[features];
        for (int d = 0; d < features; d++) {
            double purity = PURITIES[d / FEATURES_PER_PURITY];
            positive[d] = (float) (8.0 * purity);
            negative[d] = (float) (-8.0 * (1.0 - purity));
        }
        Data data = new Data(2, 1, features, false, new float[][] {positive, negative}, null);
        double[] keep = Float64Reference.keepProbabilities(settings, data);
        GradDrop graddrop = settings.builder().build();

        long[] keptPositive = new long[PURITIES.length];
        long[] keptNegative = new long[PURITIES.length];
        for (int step = 0; step < STEPS; step++) {
            Runs.Result result = Runs.run(graddrop, data, Noise.seeded(0x5eed, step), Runs.Layout.BLOCK, true, false);
            for (int d = 0; d < features; d++) {
                int group = d / FEATURES_PER_PURITY;
                keptPositive[group] += result.taskOutputs()[0][d] != 0.0f ? 1 : 0;
                keptNegative[group] += result.taskOutputs()[1][d] != 0.0f ? 1 : 0;
            }
        }

        long trials = (long) STEPS * FEATURES_PER_PURITY;
        for (int group = 0; group < PURITIES.length; group++) {
            // A keep probability outside [0, 1] keeps one sign always, since U is in [0, 1).
            double expected = Math.min(1.0, Math.max(0.0, keep[group * FEATURES_PER_PURITY]));
            assertRate(expected, keptPositive[group], trials, settings + " positive at P = " + PURITIES[group]);
            assertRate(1.0 - expected, keptNegative[group], trials, settings + " negative at P = " + PURITIES[group]);
        }
    }

    private static void assertRate(double probability, long kept, long trials, String label) {
        double rate = (double) kept / trials;
        double bound = 5.0 * Math.sqrt(probability * (1.0 - probability) / trials) + 1.0 / trials;
        assertTrue(Math.abs(rate - probability) <= bound, label + ": kept " + kept + " of " + trials + " (rate " + rate
                + "), expected " + probability + " ± " + bound);
    }
}
