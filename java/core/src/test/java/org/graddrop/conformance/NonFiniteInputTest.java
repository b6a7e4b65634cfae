package org.graddrop.conformance;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.NonFiniteInputException;
import org.graddrop.NonFinitePolicy;
import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.graddrop.Request;
import org.graddrop.TieRule;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** NaN and infinite inputs: propagated through the arithmetic by default, or rejected unwritten. */
@Tag("conformance")
class NonFiniteInputTest {

    private static Data withBadValues(Data data, int task, int index, float value, int activationIndex, float activation) {
        float[][] gradients = data.gradients().clone();
        gradients[task] = gradients[task].clone();
        gradients[task][index] = value;
        float[] activations = data.activations().clone();
        activations[activationIndex] = activation;
        return new Data(data.tasks(), data.batch(), data.features(), data.batched(), gradients, activations);
    }

    @Test
    void propagateMatchesReference() {
        Data clean = Data.random(61, 3, 4, 16, true, true);
        Data bad = withBadValues(clean, 1, 5, Float.NaN, 20, Float.POSITIVE_INFINITY);
        bad.gradients()[2][33] = Float.NEGATIVE_INFINITY;
        for (Settings settings : new Settings[] {Settings.of(Preset.PAPER), Settings.of(Preset.PAPER).withMarginalize(false),
                Settings.of(Preset.LINGVO).withNormMode(NormMode.NONE), Settings.of(Preset.PAPER).withTieRule(TieRule.LINGVO)
                .withLeaks(0.25f)}) {
            float[] uniform = Uniforms.awayFrom(settings, bad, 62);
            Runs.Result result = Runs.run(settings.builder().build(), bad, uniform);

            assertTrue(Float.isNaN(result.output()[5]), settings + ": the NaN gradient's element must be NaN");
            Checks.assertMatchesReference(Float64Reference.compute(settings, bad, uniform), result, settings, bad, 1,
                    settings.toString());
        }
    }

    @Test
    void propagateIsTheDefault() {
        assertEquals(NonFinitePolicy.PROPAGATE, GradDrop.builder().build().nonFinitePolicy());
    }

    @Test
    void propagateNaNThroughNorm() {
        Data bad = withBadValues(Data.random(63, 2, 2, 8, true, true), 0, 3, Float.NaN, 0, 1.0f);
        Runs.Result result = Runs.run(Settings.of(Preset.PAPER).withNormMode(NormMode.KEEP).builder().build(), bad,
                Uniforms.random(8, 64));

        for (int i = 0; i < bad.elements(); i++) {
            assertTrue(Float.isNaN(result.output()[i]), "a NaN norm makes output[" + i + "] NaN");
        }
    }

    @Test
    void rejectNamesFirstBadGradient() {
        Data clean = Data.random(65, 3, 2, 6, true, true);
        Data bad = withBadValues(clean, 1, 7, Float.POSITIVE_INFINITY, 2, Float.NaN);
        bad.gradients()[1][9] = Float.NaN;
        bad.gradients()[2][0] = Float.NaN;

        NonFiniteInputException error = assertRejected(bad);

        assertEquals("gradients[1]", error.argument());
        assertEquals(7, error.index());
        assertEquals(Float.POSITIVE_INFINITY, error.value());
        CallFixture.assertMessage(error, "gradients[1]", "Infinity", "index 7");
    }

    @Test
    void rejectNamesBadActivation() {
        Data bad = withBadValues(Data.random(66, 2, 3, 5, true, true), 0, 0, 0.5f, 11, Float.NaN);
        bad.activations()[13] = Float.NEGATIVE_INFINITY;

        NonFiniteInputException error = assertRejected(bad);

        assertEquals("activations", error.argument());
        assertEquals(11, error.index());
        CallFixture.assertMessage(error, "activations", "NaN", "index 11");
    }

    @Test
    void rejectAcceptsFiniteInput() {
        Data clean = Data.random(67, 2, 3, 5, true, true);
        float[] uniform = Uniforms.random(5, 68);
        GradDrop reject = BackendUnderTest.builder().nonFinitePolicy(NonFinitePolicy.REJECT).build();
        GradDrop propagate = BackendUnderTest.builder().build();

        Checks.assertSameBits(Runs.run(propagate, clean, uniform), Runs.run(reject, clean, uniform), "finite input");
    }

    /** Runs under REJECT with off-heap sentinel outputs; checks the exception type and that nothing was written. */
    private static NonFiniteInputException assertRejected(Data data) {
        GradDrop graddrop = BackendUnderTest.builder().nonFinitePolicy(NonFinitePolicy.REJECT).build();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment output = Runs.copy(arena, Runs.sentinels(data.elements()));
            MemorySegment[] taskOutputs = new MemorySegment[data.tasks()];
            for (int k = 0; k < data.tasks(); k++) {
                taskOutputs[k] = Runs.copy(arena, Runs.sentinels(data.elements()));
            }
            Request request = Request.of(Runs.gradients(arena, data, Runs.Layout.BLOCK),
                    Noise.seeded(1, 2), output).withActivations(Runs.copy(arena, data.activations()))
                    .withTaskOutputs(taskOutputs).withStatistics();

            NonFiniteInputException error = assertThrows(NonFiniteInputException.class, () -> graddrop.apply(request));

            Checks.assertUnwritten(output.toArray(JAVA_FLOAT), "output");
            for (int k = 0; k < data.tasks(); k++) {
                Checks.assertUnwritten(taskOutputs[k].toArray(JAVA_FLOAT), "taskOutputs[" + k + "]");
            }
            return error;
        }
    }
}
