package org.graddrop.reference;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import org.graddrop.ActivationMode;
import org.graddrop.Noise;
import org.graddrop.NormMode;
import org.graddrop.Statistics;
import org.graddrop.TieRule;
import org.graddrop.noise.Philox4x32;
import org.graddrop.spi.Problem;

/**
 * One call of the Java reference backend. Features are processed in tiles so that memory is read
 * row by row, but every sum runs in the order {@code docs/semantics.md} fixes: per feature over
 * the batch in increasing b, then over tasks in increasing k.
 */
final class ReferenceRun {

    /** Positions per block of the double sums behind norms and the mean purity; part of the arithmetic contract. */
    static final int BLOCK = 4096;

    /** Features per tile; divides {@link #BLOCK}, so blocks never straddle a tile. */
    private static final int TILE = 256;

    private final Problem problem;
    private final int tasks;
    private final long batch;
    private final long features;
    private final MemorySegment[] gradients;
    private final MemorySegment activations;
    private final ActivationMode activationMode;
    private final float epsilon;
    private final boolean lingvoTies;
    private final KeepProbability keep;
    private final float[] keptCoefficient;
    private final float[] droppedCoefficient;
    private final MemorySegment output;
    private final MemorySegment[] taskOutputs;
    private final MemorySegment explicitUniform;
    private final long seed;
    private final long step;
    private final boolean norms;
    private final boolean statistics;
    private final int bins;

    private final long[] keptCounts;
    private final long[] histogram;
    private long conflictCount;
    private double blockIn;
    private double blockOut;
    private double blockPurity;
    private double totalIn;
    private double totalOut;
    private double totalPurity;
    private final int[] philoxWords = new int[4];
    private long philoxCounter = -1;

    ReferenceRun(Problem problem) {
        this.problem = problem;
        this.tasks = problem.tasks();
        this.batch = problem.batch();
        this.features = problem.features();
        this.gradients = problem.gradients();
        this.activations = problem.activations();
        this.activationMode = problem.activationMode();
        this.epsilon = problem.epsilon();
        this.lingvoTies = problem.tieRule() == TieRule.LINGVO;
        this.keep = new KeepProbability(problem.purityForm(), problem.keepFunction(), epsilon);
        this.output = problem.output();
        this.taskOutputs = problem.taskOutputs();
        this.norms = problem.normMode() != NormMode.NONE;
        this.statistics = problem.statistics();
        this.bins = problem.histogramBins();

        this.keptCoefficient = new float[tasks];
        this.droppedCoefficient = new float[tasks];
        for (int k = 0; k < tasks; k++) {
            float leak = problem.leaks()[k];
            keptCoefficient[k] = leak + (1.0f - leak);
            droppedCoefficient[k] = leak;
        }

        if (problem.noise() instanceof Noise.Explicit explicit) {
            this.explicitUniform = explicit.uniform();
            this.seed = 0;
            this.step = 0;
        } else {
            Noise.Seeded seeded = (Noise.Seeded) problem.noise();
            this.explicitUniform = null;
            this.seed = seeded.seed();
            this.step = seeded.step();
        }

        this.keptCounts = new long[tasks];
        this.histogram = new long[bins];
    }

    /** One mask per feature, shared by the batch. */
    void perFeature() {
        TileScratch scratch = TileScratch.acquire(tasks, TILE);
        try {
            perFeature(scratch.signed, scratch.coefficients, scratch.purities, scratch.partialIn, scratch.partialOut);
        } finally {
            scratch.release();
        }
    }

    private void perFeature(float[][] signed, float[][] coefficients, float[] purities, double[] partialIn,
                            double[] partialOut) {
        for (long start = 0; start < features; start += TILE) {
            int width = (int) Math.min(TILE, features - start);

            for (int k = 0; k < tasks; k++) {
                float[] g = signed[k];
                for (long b = 0; b < batch; b++) {
                    long row = b * features + start;
                    for (int j = 0; j < width; j++) {
                        float term = weighted(k, row + j);
                        g[j] = b == 0 ? term : g[j] + term;
                    }
                }
            }

            for (int j = 0; j < width; j++) {
                purities[j] = decide(signed, j, start + j, coefficients);
            }

            java.util.Arrays.fill(partialIn, 0, width, 0.0);
            java.util.Arrays.fill(partialOut, 0, width, 0.0);
            for (long b = 0; b < batch; b++) {
                long row = b * features + start;
                for (int j = 0; j < width; j++) {
                    long index = row + j;
                    float out = combine(coefficients, j, index);
                    if (norms) {
                        partialIn[j] += square(plainSum(index));
                        partialOut[j] += square(out);
                    }
                }
            }

            for (int j = 0; j < width; j++) {
                accumulate(start + j, partialIn[j], partialOut[j], purities[j]);
            }
        }
        flushBlock();
    }

    /** One mask per element: position i = b·D + d. */
    void perElement() {
        long elements = batch * features;
        float[][] signed = new float[tasks][1];
        float[][] coefficients = new float[tasks][1];

        for (long i = 0; i < elements; i++) {
            for (int k = 0; k < tasks; k++) {
                signed[k][0] = weighted(k, i);
            }
            float purity = decide(signed, 0, i, coefficients);
            float out = combine(coefficients, 0, i);
            double in = norms ? square(plainSum(i)) : 0.0;
            accumulate(i, in, norms ? square(out) : 0.0, purity);
        }
        flushBlock();
    }

    /** Multiplies the output by the norm factor, once every element is written. */
    void rescale() {
        if (!norms) {
            return;
        }
        float normIn = (float) Math.sqrt(totalIn);
        float normOut = (float) Math.sqrt(totalOut);
        float scale;
        if (problem.normMode() == NormMode.KEEP) {
            float den = normOut + epsilon;
            scale = den == 0.0f ? 1.0f : normIn / den;
        } else {
            float den = normIn + epsilon;
            scale = den == 0.0f ? 1.0f : normOut / den;
        }
        long elements = batch * features;
        for (long i = 0; i < elements; i++) {
            output.setAtIndex(JAVA_FLOAT, i, output.getAtIndex(JAVA_FLOAT, i) * scale);
        }
    }

    Statistics statistics() {
        if (!statistics) {
            return null;
        }
        return new Statistics(problem.positions(), keptCounts, conflictCount, totalPurity, histogram);
    }

    /** g[k][index] times the activation factor s(a[index]). */
    private float weighted(int k, long index) {
        float g = gradients[k].getAtIndex(JAVA_FLOAT, index);
        if (activations == null) {
            return g;
        }
        float a = activations.getAtIndex(JAVA_FLOAT, index);
        return switch (activationMode) {
            case SIGN -> g * Math.signum(a);
            case VALUES -> g * a;
            case LINGVO_SIGN -> g * (a / Math.abs(a + (Math.abs(a) <= epsilon ? 1.0f : 0.0f)));
        };
    }

    /**
     * Computes purity, keep probability and mask of one position, stores each task's coefficient
     * in {@code coefficients[k][slot]}, counts statistics and returns the purity.
     */
    private float decide(float[][] signed, int slot, long position, float[][] coefficients) {
        float sum = signed[0][slot];
        float absSum = Math.abs(sum);
        for (int k = 1; k < tasks; k++) {
            sum += signed[k][slot];
            absSum += Math.abs(signed[k][slot]);
        }

        float argument = keep.purityArgument(sum, absSum);
        float f = keep.keep(argument);
        float u = uniform(position);

        boolean keepPositive = lingvoTies ? f >= u : f > u;
        boolean keepNegative = f < u;
        boolean anyPositive = false;
        boolean anyNegative = false;
        for (int k = 0; k < tasks; k++) {
            float g = signed[k][slot];
            boolean kept = (keepPositive && g > 0.0f) || (keepNegative && g < 0.0f) || (lingvoTies && g == 0.0f);
            coefficients[k][slot] = kept ? keptCoefficient[k] : droppedCoefficient[k];
            if (statistics && kept) {
                keptCounts[k]++;
            }
            anyPositive |= g > 0.0f;
            anyNegative |= g < 0.0f;
        }

        float purity = keep.purity(argument);
        if (statistics) {
            if (anyPositive && anyNegative) {
                conflictCount++;
            }
            if (!Float.isNaN(purity)) {
                int bin = (int) (purity * (float) bins);
                histogram[Math.max(0, Math.min(bin, bins - 1))]++;
            }
        }
        return purity;
    }

    /** Writes Σ_k c_k g[k][index] (and each term to the task outputs) and returns the sum. */
    private float combine(float[][] coefficients, int slot, long index) {
        float out = 0.0f;
        for (int k = 0; k < tasks; k++) {
            float term = coefficients[k][slot] * gradients[k].getAtIndex(JAVA_FLOAT, index);
            out = k == 0 ? term : out + term;
            if (taskOutputs != null) {
                taskOutputs[k].setAtIndex(JAVA_FLOAT, index, term);
            }
        }
        output.setAtIndex(JAVA_FLOAT, index, out);
        return out;
    }

    /** Σ_k g[k][index] in float32, increasing k, for the norm of the plain sum. */
    private float plainSum(long index) {
        float sum = gradients[0].getAtIndex(JAVA_FLOAT, index);
        for (int k = 1; k < tasks; k++) {
            sum += gradients[k].getAtIndex(JAVA_FLOAT, index);
        }
        return sum;
    }

    private float uniform(long position) {
        if (explicitUniform != null) {
            return explicitUniform.getAtIndex(JAVA_FLOAT, position);
        }
        // Positions arrive in increasing order, so each Philox block serves four positions in a row.
        long counter = position >>> 2;
        if (counter != philoxCounter) {
            Philox4x32.block((int) counter, (int) (counter >>> 32), (int) step, (int) (step >>> 32),
                    (int) seed, (int) (seed >>> 32), philoxWords);
            philoxCounter = counter;
        }
        return Philox4x32.toUniform(philoxWords[(int) (position & 3)]);
    }

    private static double square(float x) {
        return (double) x * (double) x;
    }

    /** Adds one position's partials to its block, closing the block after its last position. */
    private void accumulate(long position, double in, double out, float purity) {
        blockIn += in;
        blockOut += out;
        blockPurity += purity;
        if ((position + 1) % BLOCK == 0) {
            flushBlock();
        }
    }

    private void flushBlock() {
        totalIn += blockIn;
        totalOut += blockOut;
        totalPurity += blockPurity;
        blockIn = 0.0;
        blockOut = 0.0;
        blockPurity = 0.0;
    }
}
