package org.graddrop.conformance;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.graddrop.ActivationMode;
import org.graddrop.GradDrop;
import org.graddrop.NormMode;
import org.graddrop.Noise;
import org.graddrop.Preset;
import org.graddrop.PurityForm;
import org.graddrop.Request;
import org.graddrop.TaskGradients;
import org.graddrop.TieRule;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The calls a training loop makes most: one mask per element, no statistics, task outputs or norm
 * keeping, two to four tasks, the identity keep function, with or without activation signs. A
 * backend may run these through loops of their own. So each combination of task count, purity and
 * tie rule, activations, leaks and noise is checked bit for bit against the Java reference. The
 * inputs include signed zeros, subnormals, non-finite values and exact ties, and one case has an
 * output large enough for streaming stores.
 */
@Tag("conformance")
class CommonCallsTest {

    /** Odd, so that every vector width leaves a tail. */
    private static final int FEATURES = 1031;

    /** First of the positions whose keep probability is exactly {@link #TIE_KEEP_PROBABILITY}. */
    private static final int TIES = 7;

    /**
     * f at the tie positions: G = (3, -1, 0, ...) gives S = 2 and T = 4, and ε = 1e-7 vanishes when
     * added to 4 or 8, so P = 0.5 (1 + 2 / 4) and r + 0.5 = 2 / 8 + 0.5 are both 0.75 exactly.
     */
    private static final float TIE_KEEP_PROBABILITY = 0.75f;

    /** The gradients of tasks 0, 1 and every later task at the tie positions. */
    private static final float[] TIE_GRADIENTS = {3.0f, -1.0f, 0.0f};

    /** Floats in the large case: an output of at least 8 MiB, plus a tail. */
    private static final int LARGE_FEATURES = (2 << 20) + 3;

    /**
     * The shape of the large batched case: at least 8 MiB of gradients for two tasks, so that tiles
     * come from memory and take the row-by-row passes, and a feature count with a tail.
     */
    private static final int LARGE_BATCH = 8;
    private static final int LARGE_BATCH_FEATURES = (1 << 17) + 5;

    static Stream<Arguments> combinations() {
        List<Arguments> combinations = new ArrayList<>();
        for (int tasks = 2; tasks <= 4; tasks++) {
            for (boolean lingvo : new boolean[] {false, true}) {
                for (boolean activations : new boolean[] {false, true}) {
                    for (boolean leaks : new boolean[] {false, true}) {
                        combinations.add(Arguments.of(tasks, lingvo, activations, leaks));
                    }
                }
            }
        }
        return combinations.stream();
    }

    @ParameterizedTest(name = "K = {0}, lingvo = {1}, activations = {2}, leaks = {3}")
    @MethodSource("combinations")
    void matchesJavaReference(int tasks, boolean lingvo, boolean activations, boolean leaks) {
        // With activations the masks are per element, so that each element is one position.
        Settings settings = settings(tasks, lingvo, leaks).withMarginalize(!activations);
        long seed = 31L * tasks + (lingvo ? 7 : 0) + (activations ? 3 : 0) + (leaks ? 1 : 0);
        Data data = withSpecialValues(activations
                ? Data.random(seed, tasks, 3, FEATURES, true, true)
                : Data.random(seed, tasks, 1, FEATURES, false, false));
        String label = "K = " + tasks + (lingvo ? " lingvo" : " paper") + (activations ? " signs" : "") + (leaks ? " leaks" : "");

        GradDrop underTest = settings.builder().build();
        GradDrop reference = settings.apply(GradDrop.builder().backend("java")).build();
        Noise seeded = Noise.seeded(seed, 5);
        float[] uniform = Uniforms.random(data.positions(settings.marginalize()), seed);
        for (int position = TIES; position < TIES + 4; position++) {
            uniform[position] = TIE_KEEP_PROBABILITY;
        }
        Noise explicit = Noise.explicit(uniform);

        for (Noise noise : new Noise[] {seeded, explicit}) {
            Runs.Result expected = Runs.run(reference, data, noise, Runs.Layout.BLOCK, false, false);
            Runs.Result actual = Runs.run(underTest, data, noise, Runs.Layout.BLOCK, false, false);
            Checks.assertSameBits(expected, actual, label + (noise == seeded ? " seeded" : " explicit"));
        }
    }

    @Test
    void largeAlignedOutputMatchesJavaReference() {
        for (boolean lingvo : new boolean[] {false, true}) {
            Settings settings = settings(2, lingvo, true);
            Data data = withSpecialValues(Data.random(lingvo ? 2 : 1, 2, 1, LARGE_FEATURES, false, false));
            Noise noise = Noise.seeded(11, lingvo ? 2 : 1);

            assertAlignedMatchesJava(settings, data, noise, "D = " + LARGE_FEATURES + (lingvo ? " lingvo" : " paper"));
        }
    }

    @Test
    void largeBatchMatchesJavaReference() {
        for (int tasks = 2; tasks <= 4; tasks++) {
            boolean activations = tasks != 3;
            Settings settings = settings(tasks, false, tasks == 4);
            Data data = withSpecialValues(Data.random(tasks, tasks, LARGE_BATCH, LARGE_BATCH_FEATURES, true, activations));
            Noise noise = Noise.seeded(13, tasks);

            assertAlignedMatchesJava(settings, data, noise, "K = " + tasks + ", B = " + LARGE_BATCH + ", D = "
                    + LARGE_BATCH_FEATURES + (activations ? " signs" : ""));
        }
    }

    private static Settings settings(int tasks, boolean lingvo, boolean leaks) {
        Settings settings = Settings.of(Preset.LIBMTL).withActivationMode(ActivationMode.SIGN);
        if (lingvo) {
            settings = settings.withPurityForm(PurityForm.LINGVO).withTieRule(TieRule.LINGVO).withNormMode(NormMode.NONE);
        }
        if (leaks) {
            float[] values = new float[tasks];
            for (int k = 0; k < tasks; k++) {
                values[k] = 0.125f * k;
            }
            settings = settings.withLeaks(values);
        }
        return settings;
    }

    /** Replaces a few gradients with values whose products and sums take the rare branches. */
    private static Data withSpecialValues(Data data) {
        float[] specials = {0.0f, -0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        float[][] gradients = data.gradients();
        for (int k = 0; k < data.tasks(); k++) {
            for (int s = 0; s < specials.length; s++) {
                int index = (97 * (k + 1) + 13 * s) % gradients[k].length;
                gradients[k][index] = specials[s];
            }
        }

        // A position where every task is zero, one where all signs agree, and the tie positions.
        for (int k = 0; k < data.tasks(); k++) {
            gradients[k][5] = k % 2 == 0 ? 0.0f : -0.0f;
            gradients[k][6] = 0.5f + k;
            for (int position = TIES; position < TIES + 4; position++) {
                gradients[k][position] = TIE_GRADIENTS[Math.min(k, 2)];
            }
        }
        if (data.activations() != null) {
            for (int position = TIES; position < TIES + 4; position++) {
                data.activations()[position] = 1.0f;
            }
        }
        return data;
    }

    /** Asserts that the backend under test writes the Java backend's bits, with aligned segments. */
    private static void assertAlignedMatchesJava(Settings settings, Data data, Noise noise, String label) {
        float[] expected = runAligned(settings.apply(GradDrop.builder().backend("java")).build(), data, noise);
        float[] actual = runAligned(settings.builder().build(), data, noise);
        Checks.assertFloatBits(expected, actual, label);
    }

    /** Runs one call with 128-byte aligned off-heap inputs and output, and returns the output. */
    private static float[] runAligned(GradDrop graddrop, Data data, Noise noise) {
        try (Arena arena = Arena.ofConfined()) {
            long elements = data.elements();
            MemorySegment block = arena.allocate(data.tasks() * elements * Float.BYTES, 128);
            for (int k = 0; k < data.tasks(); k++) {
                MemorySegment.copy(data.gradients()[k], 0, block, JAVA_FLOAT, k * elements * Float.BYTES, (int) elements);
            }
            MemorySegment output = arena.allocate(elements * Float.BYTES, 128);
            output.fill((byte) 0x7f);

            TaskGradients gradients = data.batched()
                    ? TaskGradients.of(block, data.tasks(), data.batch(), data.features())
                    : TaskGradients.ofMatrix(block, data.tasks(), data.features());
            MemorySegment activations = null;
            if (data.activations() != null) {
                activations = arena.allocate(elements * Float.BYTES, 128);
                MemorySegment.copy(data.activations(), 0, activations, JAVA_FLOAT, 0, (int) elements);
            }

            graddrop.apply(Request.of(gradients, noise, output).withActivations(activations));
            return output.toArray(JAVA_FLOAT);
        }
    }
}
