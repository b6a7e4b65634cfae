package org.graddrop.reference;

/**
 * Per-thread working arrays of the reference backend, reused across calls so that a training loop
 * does not allocate them on every step. Every tile overwrites what it reads, so no state carries over.
 */
final class TileScratch {

    private static final ThreadLocal<TileScratch> CACHE = ThreadLocal.withInitial(TileScratch::new);

    float[][] signed = new float[0][];
    float[][] coefficients = new float[0][];
    float[] purities;
    double[] partialIn;
    double[] partialOut;
    private boolean inUse;

    /**
     * Returns this thread's scratch with room for {@code tasks} × {@code width}. A call made while the
     * thread's scratch is in use, from a custom keep function for example, gets fresh arrays instead.
     */
    static TileScratch acquire(int tasks, int width) {
        TileScratch scratch = CACHE.get();
        if (scratch.inUse) {
            scratch = new TileScratch();
        }
        scratch.inUse = true;
        scratch.ensure(tasks, width);
        return scratch;
    }

    void release() {
        inUse = false;
    }

    private void ensure(int tasks, int width) {
        if (purities == null || purities.length < width) {
            purities = new float[width];
            partialIn = new double[width];
            partialOut = new double[width];
            signed = new float[0][];
            coefficients = new float[0][];
        }
        if (signed.length < tasks) {
            signed = new float[tasks][width];
            coefficients = new float[tasks][width];
        }
    }
}
