package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.Preset;
import org.graddrop.Request;
import org.graddrop.TaskGradients;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Invalid options are rejected with the option and its value, before any call can write. */
@Tag("conformance")
class InvalidOptionsTest {

    private static void assertInvalid(org.junit.jupiter.api.function.Executable build, String... fragments) {
        CallFixture.assertMessage(assertThrows(IllegalArgumentException.class, build), fragments);
    }

    @Test
    void leakOutsideUnitInterval() {
        assertInvalid(() -> GradDrop.builder().leak(1.5f), "leak", "[0, 1]", "got 1.5");
        assertInvalid(() -> GradDrop.builder().leak(-0.25f), "leak", "got -0.25");
        assertInvalid(() -> GradDrop.builder().leak(Float.NaN), "leak", "got NaN");
        assertInvalid(() -> GradDrop.builder().leaks(0.5f, 2.0f), "leaks[1]", "got 2.0");
        assertInvalid(() -> GradDrop.builder().leaks(Float.NaN, 0.5f), "leaks[0]", "got NaN");
        assertInvalid(() -> GradDrop.builder().leaks(), "leaks", "none");
    }

    @Test
    void leakCountDiffersFromTasks() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().leaks(0.1f, 0.2f, 0.3f).build();

            call.assertRejected(() -> graddrop.apply(call.request()), "leaks has 3 values", "2 tasks");
        }
    }

    @Test
    void invalidEpsilon() {
        assertInvalid(() -> GradDrop.builder().epsilon(-1e-3f), "epsilon", "got -0.001");
        assertInvalid(() -> GradDrop.builder().epsilon(Float.NaN), "epsilon", "got NaN");
        assertInvalid(() -> GradDrop.builder().epsilon(Float.POSITIVE_INFINITY), "epsilon", "got Infinity");
    }

    @Test
    void histogramBinsOutOfRange() {
        assertInvalid(() -> GradDrop.builder().histogramBins(0), "histogram bins", "got 0");
        assertInvalid(() -> GradDrop.builder().histogramBins(4097), "histogram bins", "got 4097");
        assertInvalid(() -> GradDrop.builder().histogramBins(-1), "histogram bins", "got -1");
    }

    @Test
    void negativeThreads() {
        assertInvalid(() -> GradDrop.builder().threads(-2), "threads", "got -2");
        assertInvalid(() -> GradDrop.builder().threads(1025), "threads", "[0, 1024]", "got 1025");
    }

    @Test
    void unknownBackend() {
        assertInvalid(() -> GradDrop.builder().backend("cuda"), "unknown backend 'cuda'", "java");
        assertInvalid(() -> GradDrop.builder().backend(""), "unknown backend ''");
    }

    @Test
    void badKeepFunctionText() {
        assertInvalid(() -> KeepFunction.parse("cubic"), "invalid keep function 'cubic'", "linear:K");
        assertInvalid(() -> KeepFunction.parse("linear"), "invalid keep function 'linear'");
        assertInvalid(() -> KeepFunction.parse("linear:fast"), "'linear:fast'");
        assertInvalid(() -> KeepFunction.parse("sigmoid:"), "'sigmoid:'");
        assertInvalid(() -> KeepFunction.parse("sigmoid:NaN"), "scale", "got NaN");
        assertInvalid(() -> KeepFunction.linear(Float.POSITIVE_INFINITY), "scale", "got Infinity");
    }

    @Test
    void keepFunctionTextRoundTrips() {
        assertEquals(KeepFunction.Kind.IDENTITY, KeepFunction.parse("identity").kind());
        assertEquals(KeepFunction.Kind.LINEAR, KeepFunction.parse("linear:0.5").kind());
        assertEquals(0.5f, KeepFunction.parse("linear:0.5").scale());
        assertEquals(KeepFunction.Kind.SIGMOID, KeepFunction.parse("sigmoid:2").kind());
        assertEquals(2.0f, KeepFunction.parse("sigmoid:2").scale());
    }

    @Test
    void unknownPresetName() {
        assertInvalid(() -> Preset.parse("pcgrad"), "invalid preset 'pcgrad'", "paper");
        assertEquals(Preset.LIBMTL, Preset.parse("LibMTL"));
    }

    @Test
    void torchjdRejectsActivationsAndBatch() {
        try (CallFixture call = new CallFixture()) {
            GradDrop torchjd = BackendUnderTest.builder().preset(Preset.TORCHJD).build();

            call.assertRejected(() -> torchjd.apply(call.request()), "torchjd", "[2, 3, 5]", "activations");
            call.assertRejected(() -> torchjd.apply(call.request().withActivations(null)), "torchjd", "[2, 3, 5]");

            TaskGradients matrix = TaskGradients.ofMatrix(5, call.floats(5), call.floats(5));
            Request withActivations = Request.of(matrix, Noise.explicit(call.uniform), call.output.asSlice(0, 20))
                    .withActivations(call.floats(5));
            call.assertRejected(() -> torchjd.apply(withActivations), "torchjd", "with activations");
        }
    }
}
