package org.graddrop.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.Preset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shapes around SIMD widths and the 4096-position block, every task count and both batch forms,
 * in each memory layout the API accepts: all must match the float64 reference and each other bit
 * for bit.
 */
@Tag("conformance")
class ShapesTest {

    private static final int[] FEATURES = {1, 7, 8, 9, 15, 16, 17, 1023, 1025, 4099};
    private static final int[] TASKS = {1, 2, 3, 8};

    static Stream<Arguments> shapes() {
        List<Arguments> shapes = new ArrayList<>();
        for (int features : FEATURES) {
            for (int tasks : TASKS) {
                shapes.add(Arguments.of(features, tasks));
            }
        }
        return shapes.stream();
    }

    @ParameterizedTest(name = "D = {0}, K = {1}")
    @MethodSource("shapes")
    void layoutsAgreeWithReference(int features, int tasks) {
        Settings marginalized = Settings.of(Preset.PAPER).withLeaks(0.125f);
        Settings perExample = marginalized.withMarginalize(false);
        long seed = 1000L * features + tasks;

        check(marginalized, Data.random(seed, tasks, 1, features, false, false), "matrix");
        check(marginalized, Data.random(seed, tasks, 1, features, true, true), "B = 1");
        check(marginalized, Data.random(seed, tasks, 3, features, true, true), "B = 3");
        check(perExample, Data.random(seed, tasks, 3, features, true, true), "B = 3 per example");
        check(Settings.of(Preset.LINGVO), Data.random(seed, tasks, 2, features, true, true), "B = 2 lingvo");
    }

    private static void check(Settings settings, Data data, String label) {
        GradDrop graddrop = settings.builder().build();
        float[] uniform = Uniforms.awayFrom(settings, data, data.features());
        Float64Reference.Expected expected = Float64Reference.compute(settings, data, uniform);
        int positions = data.positions(settings.marginalize());
        int maxAmbiguous = settings.normMode() == org.graddrop.NormMode.NONE ? Math.max(1, positions / 100) : 0;

        Runs.Result block = Runs.run(graddrop, data, Noise.explicit(uniform), Runs.Layout.BLOCK, true, true);
        Checks.assertMatchesReference(expected, block, settings, data, maxAmbiguous, label);

        for (Runs.Layout layout : new Runs.Layout[] {Runs.Layout.SEGMENTS, Runs.Layout.HEAP}) {
            Runs.Result other = Runs.run(graddrop, data, Noise.explicit(uniform), layout, true, true);
            Checks.assertSameBits(block, other, label + " " + layout + " vs BLOCK");
        }

        Noise seeded = Noise.seeded(data.features(), data.tasks());
        Runs.Result seededBlock = Runs.run(graddrop, data, seeded, Runs.Layout.BLOCK, true, true);
        Runs.Result seededHeap = Runs.run(graddrop, data, seeded, Runs.Layout.HEAP, false, false);
        Checks.assertFloatBits(seededBlock.output(), seededHeap.output(), label + " seeded HEAP vs BLOCK");
    }

    @Test
    void matrixEqualsBatchOfOne() {
        for (int features : FEATURES) {
            Data matrix = Data.random(features, 3, 1, features, false, false);
            Data batch = new Data(3, 1, features, true, matrix.gradients(), null);
            GradDrop graddrop = Settings.of(Preset.LIBMTL).builder().build();
            for (boolean marginalize : new boolean[] {true, false}) {
                GradDrop perExample = Settings.of(Preset.LIBMTL).withMarginalize(marginalize).builder().build();
                Noise noise = Noise.seeded(3, features);

                Checks.assertSameBits(Runs.run(graddrop, matrix, noise), Runs.run(perExample, batch, noise),
                        "D = " + features + (marginalize ? "" : " per example"));
            }
        }
    }
}
