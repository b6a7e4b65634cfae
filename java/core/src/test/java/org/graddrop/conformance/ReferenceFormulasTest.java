package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.graddrop.ActivationMode;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.graddrop.PurityForm;
import org.graddrop.TieRule;
import org.graddrop.UnsupportedFeatureException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every formula, option and preset of docs/semantics.md, checked against the float64 reference in
 * this package with U chosen away from each keep probability.
 */
@Tag("conformance")
class ReferenceFormulasTest {

    private static final int TASKS = 3;
    private static final int BATCH = 4;
    private static final int FEATURES = 37;

    static Stream<Arguments> options() {
        List<Arguments> cases = new ArrayList<>();
        for (Preset preset : new Preset[] {Preset.PAPER, Preset.LIBMTL, Preset.LINGVO}) {
            for (boolean marginalize : new boolean[] {true, false}) {
                cases.add(Arguments.of("preset " + preset + (marginalize ? "" : " per example"),
                        Settings.of(preset).withMarginalize(marginalize), true));
            }
        }

        Settings paper = Settings.of(Preset.PAPER);
        for (ActivationMode mode : ActivationMode.values()) {
            for (boolean marginalize : new boolean[] {true, false}) {
                cases.add(Arguments.of("activations " + mode + (marginalize ? "" : " per example"),
                        paper.withActivationMode(mode).withMarginalize(marginalize), true));
            }
        }
        cases.add(Arguments.of("lingvo sign with a large epsilon", paper.withActivationMode(ActivationMode.LINGVO_SIGN)
                .withEpsilon(0.5f), true));
        cases.add(Arguments.of("no activations", paper, false));
        cases.add(Arguments.of("no activations per example", paper.withMarginalize(false), false));

        for (PurityForm form : PurityForm.values()) {
            for (TieRule rule : TieRule.values()) {
                cases.add(Arguments.of("purity " + form + " ties " + rule, paper.withPurityForm(form).withTieRule(rule), true));
            }
            for (KeepFunction function : new KeepFunction[] {KeepFunction.linear(0.5f), KeepFunction.linear(2.0f),
                    KeepFunction.linear(-1.0f), KeepFunction.sigmoid(1.0f), KeepFunction.sigmoid(3.0f), KeepFunction.sigmoid(0.0f)}) {
                cases.add(Arguments.of("purity " + form + " keep " + function,
                        paper.withPurityForm(form).withKeepFunction(function), true));
            }
        }

        cases.add(Arguments.of("single leak", paper.withLeaks(0.3f), true));
        cases.add(Arguments.of("per-task leaks", paper.withLeaks(0.0f, 0.5f, 1.0f), true));
        cases.add(Arguments.of("per-task leaks per example", paper.withLeaks(0.75f, 0.125f, 0.0f).withMarginalize(false), true));

        for (float epsilon : new float[] {0.0f, 1e-7f, 0.5f, 3.0f}) {
            cases.add(Arguments.of("epsilon " + epsilon, paper.withEpsilon(epsilon), true));
            cases.add(Arguments.of("lingvo form epsilon " + epsilon, paper.withPurityForm(PurityForm.LINGVO).withEpsilon(epsilon), true));
        }

        for (NormMode mode : new NormMode[] {NormMode.KEEP, NormMode.LINGVO}) {
            for (boolean marginalize : new boolean[] {true, false}) {
                cases.add(Arguments.of("norm " + mode + (marginalize ? "" : " per example"),
                        paper.withNormMode(mode).withMarginalize(marginalize).withLeaks(0.2f), true));
            }
            cases.add(Arguments.of("norm " + mode + " epsilon 2", paper.withNormMode(mode).withEpsilon(2.0f), true));
        }

        for (int bins : new int[] {1, 7, 4096}) {
            cases.add(Arguments.of("histogram " + bins + " bins", paper.withHistogramBins(bins), true));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void matchesFloat64Reference(String name, Settings settings, boolean activations) {
        Data data = Data.random(name.hashCode(), TASKS, BATCH, FEATURES, true, activations);
        float[] uniform = Uniforms.awayFrom(settings, data, 17);
        GradDrop graddrop = settings.builder().build();

        Float64Reference.Expected expected = Float64Reference.compute(settings, data, uniform);
        Runs.Result actual = Runs.run(graddrop, data, uniform);

        int positions = data.positions(settings.marginalize());
        int maxAmbiguous = settings.normMode() == NormMode.NONE ? Math.max(1, positions / 50) : 0;
        Checks.assertMatchesReference(expected, actual, settings, data, maxAmbiguous, name);
    }

    @Test
    void torchjdMatrixMatchesReference() {
        Settings settings = Settings.of(Preset.TORCHJD);
        Data data = Data.random(5, 4, 1, 101, false, false);
        float[] uniform = Uniforms.awayFrom(settings, data, 3);

        Runs.Result actual = Runs.run(settings.builder().build(), data, uniform);

        Checks.assertMatchesReference(Float64Reference.compute(settings, data, uniform), actual, settings, data, 2, "torchjd");
    }

    @Test
    void presetDefaultsMatchDocs() {
        for (Preset preset : Preset.values()) {
            Settings documented = Settings.of(preset);
            GradDrop defaults = BackendUnderTest.builder().preset(preset).build();

            assertEquals(documented.epsilon(), defaults.epsilon(), preset + " epsilon");
            assertEquals(documented.purityForm(), defaults.purityForm(), preset + " purity form");
            assertEquals(documented.tieRule(), defaults.tieRule(), preset + " tie rule");
            assertEquals(documented.activationMode(), defaults.activationMode(), preset + " activation mode");
            assertEquals(documented.normMode(), defaults.normMode(), preset + " norm mode");
            assertEquals(KeepFunction.Kind.IDENTITY, defaults.keepFunction().kind(), preset + " keep function");
            assertEquals(0.0f, defaults.leaks()[0], preset + " leak");
            assertTrue(defaults.marginalizeBatch(), preset + " marginalizes the batch");

            boolean matrix = preset == Preset.TORCHJD;
            Data data = matrix ? Data.random(11, 3, 1, 50, false, false) : Data.random(11, 3, 5, 50, true, true);
            float[] uniform = Uniforms.random(50, 12);
            Runs.Result implicit = Runs.run(defaults, data, uniform);
            Runs.Result explicit = Runs.run(documented.builder().build(), data, uniform);
            Checks.assertSameBits(explicit, implicit, preset.toString());
        }
    }

    @Test
    void lingvoPresetKeepFunctionIsLinearOne() {
        Settings identity = Settings.of(Preset.LINGVO);
        Settings linear = identity.withKeepFunction(KeepFunction.linear(1.0f));
        Data data = Data.random(21, 2, 3, 64, true, true);
        float[] uniform = Uniforms.random(64, 22);

        Checks.assertSameBits(Runs.run(identity.builder().build(), data, uniform),
                Runs.run(linear.builder().build(), data, uniform), "lingvo identity vs linear(1)");
    }

    @Test
    void builderOptionsOverridePresetInAnyOrder() {
        GradDrop before = BackendUnderTest.builder().epsilon(0.25f).tieRule(TieRule.PAPER).preset(Preset.LINGVO).build();
        GradDrop after = BackendUnderTest.builder().preset(Preset.LINGVO).epsilon(0.25f).tieRule(TieRule.PAPER).build();

        for (GradDrop graddrop : new GradDrop[] {before, after}) {
            assertEquals(0.25f, graddrop.epsilon());
            assertEquals(TieRule.PAPER, graddrop.tieRule());
            assertEquals(PurityForm.LINGVO, graddrop.purityForm());
        }
    }

    @Test
    void customKeepFunction() {
        KeepFunction square = KeepFunction.custom(p -> p * p);
        for (PurityForm form : PurityForm.values()) {
            Settings settings = Settings.of(Preset.PAPER).withPurityForm(form).withKeepFunction(square);
            Data data = Data.random(31, 3, 2, 40, true, true);
            float[] uniform = Uniforms.awayFrom(settings, data, 32);
            GradDrop graddrop = settings.builder().build();

            if (BackendUnderTest.supportsCustomKeepFunction()) {
                Runs.Result actual = Runs.run(graddrop, data, uniform);
                Checks.assertMatchesReference(Float64Reference.compute(settings, data, uniform), actual, settings, data, 1,
                        "custom " + form);
            } else {
                float[] output = Runs.sentinels(data.elements());
                UnsupportedFeatureException error = assertThrows(UnsupportedFeatureException.class,
                        () -> graddrop.apply(Runs.gradients(java.lang.foreign.Arena.global(), data, Runs.Layout.HEAP),
                                java.lang.foreign.MemorySegment.ofArray(data.activations()), Noise.explicit(uniform),
                                java.lang.foreign.MemorySegment.ofArray(output)));
                assertEquals(BackendUnderTest.NAME, error.backend());
                assertTrue(error.feature().contains("custom"), error.getMessage());
                Checks.assertUnwritten(output, "output");
            }
        }
    }
}
