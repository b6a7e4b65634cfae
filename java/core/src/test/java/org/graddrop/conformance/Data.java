package org.graddrop.conformance;

import java.util.SplittableRandom;

/**
 * Inputs of one call on the heap: K gradient arrays of B·D floats and optional activations.
 * Unbatched data ({@code batched == false}) is a [K, D] matrix with B = 1.
 */
record Data(int tasks, int batch, int features, boolean batched, float[][] gradients, float[] activations) {

    int elements() {
        return batch * features;
    }

    /** N: D when the batch is marginalized (always for a matrix), else B·D. */
    int positions(boolean marginalize) {
        return marginalize || !batched ? features : batch * features;
    }

    Data withActivations(float[] values) {
        return new Data(tasks, batch, features, batched, gradients, values);
    }

    /** Returns a copy with every gradient multiplied by {@code factor} in float32. */
    Data scaledBy(float factor) {
        float[][] scaled = new float[tasks][];
        for (int k = 0; k < tasks; k++) {
            scaled[k] = gradients[k].clone();
            for (int i = 0; i < scaled[k].length; i++) {
                scaled[k][i] *= factor;
            }
        }
        return new Data(tasks, batch, features, batched, scaled, activations);
    }

    /**
     * Gaussian gradients with a different scale per task, and activations (when asked) that are
     * Gaussian with about one in ten exactly zero and one in ten tiny, so the sign, zero and
     * lingvo ε branches all occur.
     */
    static Data random(long seed, int tasks, int batch, int features, boolean batched, boolean activations) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] gradients = new float[tasks][batch * features];
        for (int k = 0; k < tasks; k++) {
            double scale = 0.25 + random.nextDouble() * 4.0;
            for (int i = 0; i < gradients[k].length; i++) {
                gradients[k][i] = (float) (random.nextGaussian() * scale);
            }
        }
        float[] a = null;
        if (activations) {
            a = new float[batch * features];
            for (int i = 0; i < a.length; i++) {
                int kind = random.nextInt(10);
                a[i] = switch (kind) {
                    case 0 -> 0.0f;
                    case 1 -> (float) ((random.nextDouble() - 0.5) * 1e-8);
                    default -> (float) random.nextGaussian();
                };
            }
        }
        return new Data(tasks, batch, features, batched, gradients, a);
    }

    /** Zero gradients, and zero activations when asked. */
    static Data zeros(int tasks, int batch, int features, boolean batched, boolean activations) {
        return new Data(tasks, batch, features, batched, new float[tasks][batch * features],
                activations ? new float[batch * features] : null);
    }
}
