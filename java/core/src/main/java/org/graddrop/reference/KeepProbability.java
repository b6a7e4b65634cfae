package org.graddrop.reference;

import org.graddrop.KeepFunction;
import org.graddrop.PurityForm;

/**
 * Purity and keep probability of one mask position from S = ΣG and T = Σ|G|, in the float32
 * operation order of {@code docs/semantics.md}.
 */
final class KeepProbability {

    private final PurityForm form;
    private final KeepFunction.Kind kind;
    private final float scale;
    private final float fourScale;
    private final KeepFunction.Custom custom;
    private final float epsilon;

    KeepProbability(PurityForm form, KeepFunction function, float epsilon) {
        this.form = form;
        this.kind = function.kind();
        this.scale = function.scale();
        this.fourScale = 4.0f * function.scale();
        this.custom = function.custom();
        this.epsilon = epsilon;
    }

    /**
     * The value the keep function reads: P = ½ (1 + S / (T + ε)) in the paper form, or
     * r = S / (2T + ε) in the lingvo form.
     */
    float purityArgument(float sum, float absSum) {
        if (form == PurityForm.PAPER) {
            float den = absSum + epsilon;
            return den == 0.0f ? 0.5f : 0.5f * (1.0f + sum / den);
        }
        float den = 2.0f * absSum + epsilon;
        return den == 0.0f ? 0.0f : sum / den;
    }

    /** The purity P in [0, 1] reported in statistics, from {@link #purityArgument}. */
    float purity(float argument) {
        return form == PurityForm.PAPER ? argument : argument + 0.5f;
    }

    /** f, the keep probability of positive gradients, from {@link #purityArgument}. */
    float keep(float argument) {
        if (form == PurityForm.PAPER) {
            return switch (kind) {
                case IDENTITY -> argument;
                case LINEAR -> 0.5f + scale * (argument - 0.5f);
                case SIGMOID -> DeterministicMath.sigmoid(fourScale * (argument - 0.5f));
                case CUSTOM -> custom.apply(argument);
            };
        }
        return switch (kind) {
            case IDENTITY -> argument + 0.5f;
            case LINEAR -> scale * argument + 0.5f;
            case SIGMOID -> DeterministicMath.sigmoid(4.0f * (scale * argument));
            case CUSTOM -> custom.apply(argument + 0.5f);
        };
    }
}
