package org.graddrop.conformance;

import java.util.SplittableRandom;

/** Explicit noise U for tests. */
final class Uniforms {

    private Uniforms() {
    }

    /**
     * Draws uniform values in [0, 1) that stay at least {@code 10 ×} the reference's keep margin away from
     * each keep probability, so float32 and float64 agree on every comparison f ≷ U.
     */
    static float[] awayFrom(double[] keep, double margin, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] uniform = new float[keep.length];
        for (int i = 0; i < keep.length; i++) {
            float u;
            int tries = 0;
            do {
                u = (float) random.nextDouble();
                tries++;
            } while (Math.abs(u - keep[i]) <= 10 * margin && tries < 1000);
            uniform[i] = u;
        }
        return uniform;
    }

    /** U for {@code data} under {@code settings}, away from every keep probability. */
    static float[] awayFrom(Settings settings, Data data, long seed) {
        return awayFrom(Float64Reference.keepProbabilities(settings, data), Float64Reference.keepMargin(settings), seed);
    }

    static float[] random(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] uniform = new float[count];
        for (int i = 0; i < count; i++) {
            uniform[i] = (float) random.nextDouble();
        }
        return uniform;
    }
}
