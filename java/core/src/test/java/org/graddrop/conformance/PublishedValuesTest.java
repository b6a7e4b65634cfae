package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Values that follow from the rule of Chen et al. (NeurIPS 2020) and from the Python
 * implementations (LibMTL, lingvo, TorchJD), and the extremes every preset must survive: all-zero
 * input and inputs scaled by 1e-30 and 1e30.
 */
@Tag("conformance")
class PublishedValuesTest {

    /** A = [[1], [1]], ∇L1 = [[1], [−1]], ∇L2 = [[1], [1]], U = [0.5]: G1 = 0 and G2 = 2. */
    private static final Data ZERO_SIGNED = new Data(2, 2, 1, true, new float[][] {{1, -1}, {1, 1}}, new float[] {1, 1});

    private static final Preset[] ACTIVATION_PRESETS = {Preset.PAPER, Preset.LIBMTL, Preset.LINGVO};

    private static Runs.Result defaults(Preset preset, Data data, float[] uniform) {
        return Runs.run(BackendUnderTest.builder().preset(preset).build(), data, uniform);
    }

    @Test
    void paperAndLibmtlDropZeroSignedGradient() {
        for (Preset preset : new Preset[] {Preset.PAPER, Preset.LIBMTL}) {
            assertArrayEquals(new float[] {1, 1}, defaults(preset, ZERO_SIGNED, new float[] {0.5f}).output(), preset.name());
        }
    }

    @Test
    void lingvoKeepsZeroSignedGradient() {
        assertArrayEquals(new float[] {2, 0}, defaults(Preset.LINGVO, ZERO_SIGNED, new float[] {0.5f}).output());
    }

    @Test
    void torchjdPublishedValue() {
        Data matrix = new Data(2, 1, 3, false, new float[][] {{-4, 1, 1}, {6, 1, 1}}, null);

        Runs.Result result = defaults(Preset.TORCHJD, matrix, new float[] {0.4963f, 0.7682f, 0.0885f});

        assertArrayEquals(new float[] {6, 2, 2}, result.output());
    }

    @Test
    void allZeroInputGivesZeroOutput() {
        for (Preset preset : Preset.values()) {
            boolean matrix = preset == Preset.TORCHJD;
            for (boolean marginalize : new boolean[] {true, false}) {
                Data[] inputs = matrix
                        ? new Data[] {Data.zeros(3, 1, 9, false, false)}
                        : new Data[] {Data.zeros(3, 4, 9, true, true), Data.zeros(3, 4, 9, true, false),
                                Data.zeros(3, 4, 9, true, false).withActivations(ones(36))};
                for (Data data : inputs) {
                    String label = preset + (marginalize ? "" : " per example")
                            + (data.activations() == null ? " without activations" : " activations " + data.activations()[0]);
                    float[] uniform = Uniforms.random(data.positions(marginalize), 5);
                    Runs.Result result = Runs.run(BackendUnderTest.builder().preset(preset).marginalizeBatch(marginalize)
                            .leaks(0.5f).build(), data, uniform);

                    assertAllZero(result.output(), label + " output");
                    for (int k = 0; k < data.tasks(); k++) {
                        assertAllZero(result.taskOutputs()[k], label + " task output " + k);
                    }
                    assertEquals(0.5, result.statistics().meanPurity(), label + " mean purity");
                    assertEquals(0, result.statistics().conflictCount(), label + " conflicts");
                }
            }
        }
    }

    @Test
    void tinyAndHugeInputsKeepMasks() {
        for (Preset preset : Preset.values()) {
            boolean matrix = preset == Preset.TORCHJD;
            Data base = matrix ? Data.random(41, 3, 1, 64, false, false) : Data.random(41, 3, 4, 64, true, true);
            for (float factor : new float[] {1e-30f, 1e30f}) {
                // ε = 1e-7 would dominate Σ|G| ≈ 1e-30 and pull every purity to ½, so tiny inputs run without it.
                Settings settings = factor < 1 ? Settings.of(preset).withEpsilon(0.0f) : Settings.of(preset);
                float[] uniform = Uniforms.awayFrom(settings, base, 42);
                Runs.Result reference = Runs.run(settings.builder().build(), base, uniform);
                String label = preset + " × " + factor;
                Runs.Result scaled = Runs.run(settings.builder().build(), base.scaledBy(factor), uniform);

                for (int i = 0; i < base.elements(); i++) {
                    assertTrue(Float.isFinite(scaled.output()[i]), label + ": output[" + i + "] = " + scaled.output()[i]);
                    for (int k = 0; k < base.tasks(); k++) {
                        boolean keptBefore = reference.taskOutputs()[k][i] != 0.0f;
                        boolean keptAfter = scaled.taskOutputs()[k][i] != 0.0f;
                        assertEquals(keptBefore, keptAfter, label + ": mask of task " + k + " at element " + i);
                    }
                    if (settings.normMode() == NormMode.NONE) {
                        double magnitude = 0.0;
                        for (int k = 0; k < base.tasks(); k++) {
                            magnitude += Math.abs((double) reference.taskOutputs()[k][i] * factor);
                        }
                        Checks.assertClose((double) reference.output()[i] * factor, scaled.output()[i], magnitude,
                                label + ": output[" + i + "]");
                    }
                }
            }
        }
    }

    private static void assertAllZero(float[] values, String label) {
        for (int i = 0; i < values.length; i++) {
            assertFalse(Float.isNaN(values[i]), label + "[" + i + "] is NaN");
            assertEquals(0.0f, Math.abs(values[i]), label + "[" + i + "]");
        }
    }

    private static float[] ones(int count) {
        float[] values = new float[count];
        java.util.Arrays.fill(values, 1.0f);
        return values;
    }
}
