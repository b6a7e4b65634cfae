package org.graddrop.conformance;

import org.graddrop.KeepFunction;
import org.graddrop.NormMode;
import org.graddrop.PurityForm;
import org.graddrop.TieRule;

/**
 * An independent float64 implementation of docs/semantics.md, written from the formulas and not
 * from the library's reference backend. It cannot match float32 bits, so it also flags the
 * positions where float32 rounding could flip a decision: a keep probability within
 * {@link #KEEP_MARGIN} of U, or a signed gradient G_k so close to zero, relative to the terms it
 * sums, that its float32 sign is uncertain.
 */
final class Float64Reference {

    /** |f − U| below this (times max(1, |k|)) may round either way in float32. */
    static final double KEEP_MARGIN = 1e-4;

    /**
     * |G_k| below this fraction of Σ_b |g·s| may have another sign in float32. A float32 sum of B
     * rounded products errs by at most about B · 2^-24 of that magnitude, so the margin covers
     * batches up to about 16.
     */
    static final double SIGN_MARGIN = 1e-6;

    private Float64Reference() {
    }

    /** What the reference computes for one call. Arrays over positions have N entries. */
    record Expected(
            double[] output,
            double[][] taskOutputs,
            double[][] signed,
            double[] purity,
            double[] keep,
            boolean[][] mask,
            boolean[] ambiguous,
            int ambiguousCount,
            long[] keptCounts,
            long conflictCount,
            double puritySum,
            long[] histogram,
            int histogramAmbiguous,
            double scale) {
    }

    /** G_k per position, and Σ|g·s| per position in {@code magnitudes[k]}. */
    record Signed(double[][] values, double[][] magnitudes) {
    }

    static double activationFactor(Settings settings, double a) {
        return switch (settings.activationMode()) {
            case SIGN -> Math.signum(a);
            case VALUES -> a;
            case LINGVO_SIGN -> a / Math.abs(a + (Math.abs(a) <= settings.epsilon() ? 1.0 : 0.0));
        };
    }

    static Signed signed(Settings settings, Data data) {
        int positions = data.positions(settings.marginalize());
        boolean perFeature = positions == data.features();
        double[][] values = new double[data.tasks()][positions];
        double[][] magnitudes = new double[data.tasks()][positions];
        for (int k = 0; k < data.tasks(); k++) {
            for (int i = 0; i < data.elements(); i++) {
                double term = data.gradients()[k][i];
                if (data.activations() != null) {
                    term *= activationFactor(settings, data.activations()[i]);
                }
                int position = perFeature ? i % data.features() : i;
                values[k][position] += term;
                magnitudes[k][position] += Math.abs(term);
            }
        }
        return new Signed(values, magnitudes);
    }

    /** The value the keep function reads: P in the paper form, r in the lingvo form. */
    static double purityArgument(Settings settings, double sum, double absSum) {
        double epsilon = settings.epsilon();
        if (settings.purityForm() == PurityForm.PAPER) {
            double den = absSum + epsilon;
            return den == 0.0 ? 0.5 : 0.5 * (1.0 + sum / den);
        }
        double den = 2.0 * absSum + epsilon;
        return den == 0.0 ? 0.0 : sum / den;
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    static double keep(Settings settings, double argument) {
        KeepFunction function = settings.keepFunction();
        double k = function.scale();
        if (settings.purityForm() == PurityForm.PAPER) {
            return switch (function.kind()) {
                case IDENTITY -> argument;
                case LINEAR -> 0.5 + k * (argument - 0.5);
                case SIGMOID -> sigmoid(4.0 * k * (argument - 0.5));
                case CUSTOM -> function.custom().apply((float) argument);
            };
        }
        return switch (function.kind()) {
            case IDENTITY -> argument + 0.5;
            case LINEAR -> k * argument + 0.5;
            case SIGMOID -> sigmoid(4.0 * k * argument);
            case CUSTOM -> function.custom().apply((float) (argument + 0.5));
        };
    }

    static double purity(Settings settings, double argument) {
        return settings.purityForm() == PurityForm.PAPER ? argument : argument + 0.5;
    }

    /** Computes the keep probability f of every position, for choosing U away from it. */
    static double[] keepProbabilities(Settings settings, Data data) {
        Signed signed = signed(settings, data);
        int positions = signed.values()[0].length;
        double[] keep = new double[positions];
        for (int i = 0; i < positions; i++) {
            double sum = 0.0;
            double absSum = 0.0;
            for (double[] g : signed.values()) {
                sum += g[i];
                absSum += Math.abs(g[i]);
            }
            keep[i] = keep(settings, purityArgument(settings, sum, absSum));
        }
        return keep;
    }

    static double keepMargin(Settings settings) {
        float scale = settings.keepFunction().scale();
        return KEEP_MARGIN * (Float.isFinite(scale) ? Math.max(1.0, Math.abs(scale)) : 1.0);
    }

    static Expected compute(Settings settings, Data data, float[] uniform) {
        int tasks = data.tasks();
        int features = data.features();
        int elements = data.elements();
        Signed signed = signed(settings, data);
        int positions = signed.values()[0].length;
        boolean perFeature = positions == features;
        boolean lingvoTies = settings.tieRule() == TieRule.LINGVO;
        int bins = settings.histogramBins();
        double margin = keepMargin(settings);

        double[] purity = new double[positions];
        double[] keep = new double[positions];
        boolean[][] mask = new boolean[tasks][positions];
        boolean[] ambiguous = new boolean[positions];
        int ambiguousCount = 0;
        long[] keptCounts = new long[tasks];
        long conflicts = 0;
        double puritySum = 0.0;
        long[] histogram = new long[bins];
        int histogramAmbiguous = 0;

        for (int i = 0; i < positions; i++) {
            double sum = 0.0;
            double absSum = 0.0;
            boolean anyPositive = false;
            boolean anyNegative = false;
            boolean uncertain = false;
            for (int k = 0; k < tasks; k++) {
                double g = signed.values()[k][i];
                sum += g;
                absSum += Math.abs(g);
                anyPositive |= g > 0.0;
                anyNegative |= g < 0.0;
                uncertain |= g != 0.0 && Math.abs(g) <= SIGN_MARGIN * signed.magnitudes()[k][i];
            }
            double argument = purityArgument(settings, sum, absSum);
            double f = keep(settings, argument);
            double u = uniform[i];
            uncertain |= Math.abs(f - u) <= margin;
            keep[i] = f;
            purity[i] = purity(settings, argument);

            boolean keepPositive = lingvoTies ? f >= u : f > u;
            boolean keepNegative = f < u;
            for (int k = 0; k < tasks; k++) {
                double g = signed.values()[k][i];
                mask[k][i] = (keepPositive && g > 0.0) || (keepNegative && g < 0.0) || (lingvoTies && g == 0.0);
                if (mask[k][i]) {
                    keptCounts[k]++;
                }
            }
            if (anyPositive && anyNegative) {
                conflicts++;
            }
            puritySum += purity[i];
            if (!Double.isNaN(purity[i])) {
                double scaled = purity[i] * bins;
                histogram[(int) Math.max(0, Math.min(Math.floor(scaled), bins - 1))]++;
                double nearest = Math.rint(scaled);
                if (nearest >= 1 && nearest <= bins - 1 && Math.abs(scaled - nearest) <= 1e-4) {
                    histogramAmbiguous++;
                }
            }
            ambiguous[i] = uncertain;
            if (uncertain) {
                ambiguousCount++;
            }
        }

        double[] output = new double[elements];
        double[][] taskOutputs = new double[tasks][elements];
        double sumSquaresIn = 0.0;
        double sumSquaresOut = 0.0;
        for (int i = 0; i < elements; i++) {
            int position = perFeature ? i % features : i;
            double plain = 0.0;
            for (int k = 0; k < tasks; k++) {
                double g = data.gradients()[k][i];
                double coefficient = mask[k][position] ? 1.0 : settings.leak(k);
                taskOutputs[k][i] = coefficient * g;
                output[i] += taskOutputs[k][i];
                plain += g;
            }
            sumSquaresIn += plain * plain;
            sumSquaresOut += output[i] * output[i];
        }

        double scale = 1.0;
        double normIn = Math.sqrt(sumSquaresIn);
        double normOut = Math.sqrt(sumSquaresOut);
        if (settings.normMode() == NormMode.KEEP) {
            double den = normOut + settings.epsilon();
            scale = den == 0.0 ? 1.0 : normIn / den;
        } else if (settings.normMode() == NormMode.LINGVO) {
            double den = normIn + settings.epsilon();
            scale = den == 0.0 ? 1.0 : normOut / den;
        }
        for (int i = 0; i < elements; i++) {
            output[i] *= scale;
        }

        return new Expected(output, taskOutputs, signed.values(), purity, keep, mask, ambiguous, ambiguousCount,
                keptCounts, conflicts, puritySum, histogram, histogramAmbiguous, scale);
    }
}
