package org.graddrop.spi;

import java.lang.foreign.MemorySegment;
import org.graddrop.ActivationMode;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NonFinitePolicy;
import org.graddrop.NormMode;
import org.graddrop.PurityForm;
import org.graddrop.TieRule;

/**
 * One fully validated call, as a backend receives it. Every segment is alive, of the right size,
 * 4-byte aligned and, for outputs, writable and disjoint from every input.
 *
 * @param tasks          K
 * @param batch          B (1 for unbatched input)
 * @param features       D
 * @param gradients      K views of B·D floats each
 * @param activations    B·D floats, or null when no activations were given
 * @param activationMode how activations weigh gradients; ignored when {@code activations} is null
 * @param purityForm     how S and T become purity
 * @param keepFunction   f
 * @param tieRule        which signs survive ties, and whether G = 0 is kept
 * @param epsilon        ε ≥ 0
 * @param leaks          K leaks in [0, 1]
 * @param marginalize    true for one mask per feature, false for one mask per element
 * @param normMode       optional rescaling of the output
 * @param noise          seeded Philox noise, or explicit U with one float per mask position
 * @param output         B·D floats, written
 * @param taskOutputs    K segments of B·D floats, written, or null
 * @param statistics     true to return statistics
 * @param histogramBins  bins of the purity histogram, at least 1
 * @param nonFinite      what to do with NaN and infinite inputs
 * @param threads        worker threads for backends that use them; 0 means all processors
 */
public record Problem(
        int tasks,
        long batch,
        long features,
        MemorySegment[] gradients,
        MemorySegment activations,
        ActivationMode activationMode,
        PurityForm purityForm,
        KeepFunction keepFunction,
        TieRule tieRule,
        float epsilon,
        float[] leaks,
        boolean marginalize,
        NormMode normMode,
        Noise noise,
        MemorySegment output,
        MemorySegment[] taskOutputs,
        boolean statistics,
        int histogramBins,
        NonFinitePolicy nonFinite,
        int threads) {

    /** B·D. */
    public long elements() {
        return batch * features;
    }

    /** N: D when the batch is marginalized, else B·D. */
    public long positions() {
        return marginalize ? features : batch * features;
    }

    /** Bytes of gradients and activations read, plus output bytes written: the traffic of one pass. */
    public long trafficBytes() {
        long perTensor = elements() * Float.BYTES;
        return perTensor * (tasks + (activations == null ? 0 : 1) + 1);
    }
}
