package org.graddrop.conformance;

import org.graddrop.ActivationMode;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.graddrop.PurityForm;
import org.graddrop.TieRule;

/**
 * Every option of one GradDrop configuration, resolved, as the float64 reference reads it. The
 * preset defaults are written here from docs/semantics.md and the {@link Preset} documentation,
 * independently of the builder, so a test can check that the builder resolves them the same way.
 */
record Settings(Preset preset, PurityForm purityForm, TieRule tieRule, ActivationMode activationMode, float epsilon,
                KeepFunction keepFunction, float[] leaks, NormMode normMode, boolean marginalize, int histogramBins) {

    /** Returns the options that {@code preset} implies on its own. */
    static Settings of(Preset preset) {
        boolean lingvo = preset == Preset.LINGVO;
        float epsilon = preset == Preset.LIBMTL || lingvo ? 1e-7f : 0.0f;
        return new Settings(preset,
                lingvo ? PurityForm.LINGVO : PurityForm.PAPER,
                lingvo ? TieRule.LINGVO : TieRule.PAPER,
                lingvo ? ActivationMode.LINGVO_SIGN : ActivationMode.SIGN,
                epsilon,
                KeepFunction.identity(),
                new float[] {0.0f},
                lingvo ? NormMode.LINGVO : NormMode.NONE,
                true,
                10);
    }

    Settings withPurityForm(PurityForm form) {
        return new Settings(preset, form, tieRule, activationMode, epsilon, keepFunction, leaks, normMode, marginalize, histogramBins);
    }

    Settings withTieRule(TieRule rule) {
        return new Settings(preset, purityForm, rule, activationMode, epsilon, keepFunction, leaks, normMode, marginalize, histogramBins);
    }

    Settings withActivationMode(ActivationMode mode) {
        return new Settings(preset, purityForm, tieRule, mode, epsilon, keepFunction, leaks, normMode, marginalize, histogramBins);
    }

    Settings withEpsilon(float value) {
        return new Settings(preset, purityForm, tieRule, activationMode, value, keepFunction, leaks, normMode, marginalize, histogramBins);
    }

    Settings withKeepFunction(KeepFunction function) {
        return new Settings(preset, purityForm, tieRule, activationMode, epsilon, function, leaks, normMode, marginalize, histogramBins);
    }

    Settings withLeaks(float... values) {
        return new Settings(preset, purityForm, tieRule, activationMode, epsilon, keepFunction, values.clone(), normMode, marginalize, histogramBins);
    }

    Settings withNormMode(NormMode mode) {
        return new Settings(preset, purityForm, tieRule, activationMode, epsilon, keepFunction, leaks, mode, marginalize, histogramBins);
    }

    Settings withMarginalize(boolean value) {
        return new Settings(preset, purityForm, tieRule, activationMode, epsilon, keepFunction, leaks, normMode, value, histogramBins);
    }

    Settings withHistogramBins(int bins) {
        return new Settings(preset, purityForm, tieRule, activationMode, epsilon, keepFunction, leaks, normMode, marginalize, bins);
    }

    /** Returns the leak of task {@code k}: the single leak, or the k-th of the per-task leaks. */
    float leak(int k) {
        return leaks.length == 1 ? leaks[0] : leaks[k];
    }

    /** A builder for the backend under test with every option set explicitly. */
    GradDrop.Builder builder() {
        return apply(BackendUnderTest.builder());
    }

    /** Sets every option on {@code builder}. */
    GradDrop.Builder apply(GradDrop.Builder builder) {
        return builder.preset(preset)
                .purityForm(purityForm)
                .tieRule(tieRule)
                .activationMode(activationMode)
                .epsilon(epsilon)
                .keepFunction(keepFunction)
                .leaks(leaks)
                .normMode(normMode)
                .marginalizeBatch(marginalize)
                .histogramBins(histogramBins);
    }

    @Override
    public String toString() {
        return preset.name().toLowerCase() + "[" + purityForm + ", ties " + tieRule + ", " + activationMode + ", eps "
                + epsilon + ", " + keepFunction + ", leaks " + java.util.Arrays.toString(leaks) + ", norm " + normMode
                + (marginalize ? ", marginalized" : ", per example") + "]";
    }
}
