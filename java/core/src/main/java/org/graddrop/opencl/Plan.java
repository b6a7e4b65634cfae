package org.graddrop.opencl;

import org.graddrop.ActivationMode;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NormMode;
import org.graddrop.PurityForm;
import org.graddrop.TieRule;
import org.graddrop.spi.Problem;

/**
 * The scalar settings of one kernel run. Per-example masks become the per-feature case with a
 * batch of 1 and B·D features, since position i = b·D + d then covers exactly element i.
 *
 * @param tasks                K
 * @param batch                examples the kernel sums over: B, or 1 for per-example masks
 * @param positions            mask positions: D, or B·D for per-example masks
 * @param activationMode       0 without activations, else 1 sign, 2 values, 3 lingvo sign
 * @param keptCoefficients     c1_k = l_k + (1 − l_k), computed in Java as the contract writes it
 * @param droppedCoefficients  c0_k = l_k
 * @param keepKind             0 identity, 1 linear, 2 sigmoid
 * @param keepFourScale        4.0f · k, the paper form's sigmoid factor
 */
record Plan(
        int tasks,
        long batch,
        long positions,
        int activationMode,
        float epsilon,
        boolean lingvoForm,
        int keepKind,
        float keepScale,
        float keepFourScale,
        boolean lingvoTies,
        float[] keptCoefficients,
        float[] droppedCoefficients,
        boolean explicitNoise,
        long seed,
        long step,
        NormMode normMode,
        boolean statistics,
        int bins) {

    static Plan of(Problem problem) {
        return of(problem.tasks(), problem.batch(), problem.features(), problem.marginalize(),
                problem.activations() == null ? null : problem.activationMode(), problem.purityForm(),
                problem.keepFunction(), problem.tieRule(), problem.epsilon(), problem.leaks(), problem.normMode(),
                problem.noise(), problem.statistics(), problem.histogramBins());
    }

    /** A plan from the call's settings; {@code activationMode} is null when no activations are given. */
    static Plan of(int tasks, long batch, long features, boolean marginalize, ActivationMode activationMode,
                   PurityForm purityForm, KeepFunction keepFunction, TieRule tieRule, float epsilon, float[] leaks,
                   NormMode normMode, Noise noise, boolean statistics, int bins) {
        float[] kept = new float[tasks];
        float[] dropped = new float[tasks];
        for (int k = 0; k < tasks; k++) {
            kept[k] = leaks[k] + (1.0f - leaks[k]);
            dropped[k] = leaks[k];
        }

        int activation = activationMode == null ? 0 : switch (activationMode) {
            case SIGN -> 1;
            case VALUES -> 2;
            case LINGVO_SIGN -> 3;
        };
        int keepKind = switch (keepFunction.kind()) {
            case IDENTITY -> 0;
            case LINEAR -> 1;
            case SIGMOID -> 2;
            case CUSTOM -> throw new IllegalArgumentException("a custom keep function cannot run in an OpenCL kernel");
        };

        long seed = 0;
        long step = 0;
        if (noise instanceof Noise.Seeded seeded) {
            seed = seeded.seed();
            step = seeded.step();
        }

        return new Plan(tasks, marginalize ? batch : 1, marginalize ? features : batch * features, activation, epsilon,
                purityForm == PurityForm.LINGVO, keepKind, keepFunction.scale(), 4.0f * keepFunction.scale(),
                tieRule == TieRule.LINGVO, kept, dropped, noise instanceof Noise.Explicit, seed, step, normMode,
                statistics, bins);
    }

    /** B·D, the elements of the output. */
    long elements() {
        return batch * positions;
    }

    boolean norms() {
        return normMode != NormMode.NONE;
    }

    /** Local memory for the statistics counters of one work-group: kept per task, conflicts, bins. */
    long localCounterBytes() {
        return (tasks + 1L + bins) * Integer.BYTES;
    }
}
