package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.graddrop.ActivationMode;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Preset;
import org.graddrop.PurityForm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the float32 bits of the keep probability. The test transcribes the float32 operation order
 * of docs/semantics.md (signed sums, purity, keep functions and the library's own expf), then runs
 * each position with U one ulp below f, equal to f and one ulp above it. Under the paper tie rule
 * (f &gt; U keeps G &gt; 0, f &lt; U keeps G &lt; 0) only the exact bits of f give the pattern "positive kept, both dropped, negative kept".
 */
@Tag("conformance")
class KeepProbabilityBitsTest {

    private static final int BATCH = 3;
    private static final int FEATURES = 48;
    private static final String[] OFFSET_NAMES = {"- 1 ulp", "", "+ 1 ulp"};

    static Stream<Settings> keepFunctions() {
        Settings base = Settings.of(Preset.PAPER).withActivationMode(ActivationMode.VALUES).withEpsilon(1e-3f);
        return Stream.of(PurityForm.PAPER, PurityForm.LINGVO).flatMap(form -> Stream.of(
                base.withPurityForm(form),
                base.withPurityForm(form).withKeepFunction(KeepFunction.linear(0.7f)),
                base.withPurityForm(form).withKeepFunction(KeepFunction.sigmoid(1.3f)),
                base.withPurityForm(form).withKeepFunction(KeepFunction.sigmoid(9.0f)),
                base.withPurityForm(form).withActivationMode(ActivationMode.LINGVO_SIGN).withEpsilon(0.3f)
                        .withKeepFunction(KeepFunction.sigmoid(0.6f))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keepFunctions")
    void maskFlipsExactlyAtDocumentedKeepProbability(Settings settings) {
        Data data = Data.random(settings.toString().hashCode(), 3, BATCH, FEATURES, true, true);
        float[][] signed = signed(settings, data);
        float[] keep = new float[FEATURES];
        for (int d = 0; d < FEATURES; d++) {
            keep[d] = keepProbability(settings, signed, d);
        }
        GradDrop graddrop = settings.builder().build();

        int checked = 0;
        for (int offset = -1; offset <= 1; offset++) {
            float[] uniform = new float[FEATURES];
            for (int d = 0; d < FEATURES; d++) {
                uniform[d] = keep[d];
                if (offset < 0) {
                    uniform[d] = Math.nextDown(keep[d]);
                } else if (offset > 0) {
                    uniform[d] = Math.nextUp(keep[d]);
                }
                if (!(uniform[d] >= 0.0f && uniform[d] < 1.0f)) {
                    uniform[d] = 0.5f;
                }
            }
            Runs.Result result = Runs.run(graddrop, data, uniform);

            for (int d = 0; d < FEATURES; d++) {
                if (!(keep[d] > 0.0f && Math.nextUp(keep[d]) < 1.0f)) {
                    continue;
                }
                for (int k = 0; k < data.tasks(); k++) {
                    boolean positive = signed[k][d] > 0.0f;
                    boolean negative = signed[k][d] < 0.0f;
                    boolean expected = offset < 0 ? positive : offset > 0 && negative;
                    for (int b = 0; b < BATCH; b++) {
                        int i = b * FEATURES + d;
                        float g = data.gradients()[k][i];
                        if (g == 0.0f) {
                            continue;
                        }
                        boolean kept = result.taskOutputs()[k][i] == g;
                        assertEquals(expected, kept, settings + ": task " + k + " feature " + d + " with U = f "
                                + OFFSET_NAMES[offset + 1] + " (f = " + keep[d] + ", G = "
                                + signed[k][d] + ")");
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > FEATURES * BATCH, "only " + checked + " elements checked");
    }

    /** G_k[d] in float32: the b = 0 term, then each later b in order. */
    private static float[][] signed(Settings settings, Data data) {
        float[][] signed = new float[data.tasks()][FEATURES];
        for (int k = 0; k < data.tasks(); k++) {
            for (int b = 0; b < BATCH; b++) {
                for (int d = 0; d < FEATURES; d++) {
                    int i = b * FEATURES + d;
                    float term = data.gradients()[k][i] * activationFactor(settings, data.activations()[i]);
                    signed[k][d] = b == 0 ? term : signed[k][d] + term;
                }
            }
        }
        return signed;
    }

    private static float activationFactor(Settings settings, float a) {
        float epsilon = settings.epsilon();
        return switch (settings.activationMode()) {
            case SIGN -> Math.signum(a);
            case VALUES -> a;
            case LINGVO_SIGN -> a / Math.abs(a + (Math.abs(a) <= epsilon ? 1.0f : 0.0f));
        };
    }

    private static float keepProbability(Settings settings, float[][] signed, int d) {
        float sum = signed[0][d];
        float absSum = Math.abs(signed[0][d]);
        for (int k = 1; k < signed.length; k++) {
            sum += signed[k][d];
            absSum += Math.abs(signed[k][d]);
        }
        float epsilon = settings.epsilon();
        KeepFunction function = settings.keepFunction();
        float k = function.scale();
        if (settings.purityForm() == PurityForm.PAPER) {
            float den = absSum + epsilon;
            float p = den == 0.0f ? 0.5f : 0.5f * (1.0f + sum / den);
            return switch (function.kind()) {
                case IDENTITY -> p;
                case LINEAR -> 0.5f + k * (p - 0.5f);
                case SIGMOID -> sigmoid((4.0f * k) * (p - 0.5f));
                case CUSTOM -> throw new IllegalArgumentException("custom keep functions have no documented bits");
            };
        }
        float den = 2.0f * absSum + epsilon;
        float r = den == 0.0f ? 0.0f : sum / den;
        return switch (function.kind()) {
            case IDENTITY -> r + 0.5f;
            case LINEAR -> k * r + 0.5f;
            case SIGMOID -> sigmoid(4.0f * (k * r));
            case CUSTOM -> throw new IllegalArgumentException("custom keep functions have no documented bits");
        };
    }

    private static float sigmoid(float x) {
        float minusX = Math.min(88.0f, Math.max(-87.0f, -x));
        return 1.0f / (1.0f + expf(minusX));
    }

    /** Computes the deterministic expf of docs/semantics.md, for x in [−87, 88]. */
    private static float expf(float x) {
        float n = (float) Math.floor(x * 1.44269504f + 0.5f);
        float r = (x - n * 0.693145751953125f) - n * 1.42860677e-6f;
        float p = (float) (1.0 / 5040);
        p = p * r + (float) (1.0 / 720);
        p = p * r + (float) (1.0 / 120);
        p = p * r + (float) (1.0 / 24);
        p = p * r + (float) (1.0 / 6);
        p = p * r + 0.5f;
        p = p * r + 1.0f;
        p = p * r + 1.0f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }
}
