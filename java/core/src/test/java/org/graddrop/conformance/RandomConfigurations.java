package org.graddrop.conformance;

import java.util.SplittableRandom;
import org.graddrop.ActivationMode;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.graddrop.PurityForm;
import org.graddrop.TieRule;

/**
 * Random configurations and inputs for the bit-for-bit comparisons, drawn from a fixed seed. The
 * inputs mix ordinary values with the ones that stress bit equality: exact zeros of both signs,
 * subnormals, huge values, exact ties f == U and, when {@code nonFinite} is set, NaN and infinities.
 */
final class RandomConfigurations {

    /** One drawn case. */
    record Case(String label, Settings settings, Data data, Noise noise, int threads, boolean taskOutputs) {
    }

    private RandomConfigurations() {
    }

    static Case draw(long seed, boolean customAllowed, boolean nonFinite) {
        SplittableRandom random = new SplittableRandom(seed);

        Preset[] presets = Preset.values();
        Preset preset = presets[random.nextInt(presets.length)];
        boolean matrix = preset == Preset.TORCHJD || random.nextInt(5) == 0;
        int tasks = 1 + random.nextInt(5);
        int batch = matrix ? 1 : 1 + random.nextInt(5);
        int features = random.nextInt(8) == 0 ? 4097 + random.nextInt(900) : 1 + random.nextInt(300);
        boolean activations = !matrix && preset != Preset.TORCHJD && random.nextInt(4) != 0;

        Settings settings = Settings.of(preset)
                .withMarginalize(random.nextBoolean())
                .withPurityForm(random.nextBoolean() ? PurityForm.PAPER : PurityForm.LINGVO)
                .withTieRule(random.nextBoolean() ? TieRule.PAPER : TieRule.LINGVO)
                .withActivationMode(ActivationMode.values()[random.nextInt(3)])
                .withEpsilon(new float[] {0.0f, 1e-7f, 0.25f}[random.nextInt(3)])
                .withNormMode(NormMode.values()[random.nextInt(3)])
                .withHistogramBins(1 + random.nextInt(20))
                .withKeepFunction(keepFunction(random, customAllowed))
                .withLeaks(leaks(random, tasks));

        float[][] gradients = new float[tasks][batch * features];
        for (int k = 0; k < tasks; k++) {
            for (int i = 0; i < gradients[k].length; i++) {
                gradients[k][i] = value(random, nonFinite);
            }
        }
        // Mirror some elements of task 1 onto task 0 with the opposite sign, so S = 0 and P = ½ exactly.
        if (tasks >= 2) {
            for (int i = 0; i < gradients[0].length; i += 1 + random.nextInt(6)) {
                gradients[1][i] = -gradients[0][i];
            }
        }
        float[] a = null;
        if (activations) {
            a = new float[batch * features];
            for (int i = 0; i < a.length; i++) {
                a[i] = value(random, nonFinite);
                if (random.nextInt(8) == 0) {
                    // 5e-8 is inside lingvo's |a| ≤ ε branch for ε = 1e-7 and 0.25.
                    a[i] = random.nextBoolean() ? 1.0f : 5e-8f;
                }
            }
        }
        Data data = new Data(tasks, batch, features, !matrix, gradients, a);

        Noise noise;
        if (random.nextBoolean()) {
            noise = Noise.seeded(random.nextLong(), random.nextLong());
        } else {
            float[] uniform = Uniforms.random(data.positions(settings.marginalize()), random.nextLong());
            for (int i = 0; i < uniform.length; i += 1 + random.nextInt(4)) {
                uniform[i] = random.nextBoolean() ? 0.5f : 0.0f;
            }
            noise = Noise.explicit(uniform);
        }

        int threads = new int[] {0, 1, 2, 3}[random.nextInt(4)];
        String label = "case " + seed + ": " + settings + " K=" + tasks + " B=" + batch + " D=" + features
                + (matrix ? " matrix" : "") + (activations ? " activations" : "") + " threads=" + threads + " "
                + noise.getClass().getSimpleName();
        return new Case(label, settings, data, noise, threads, random.nextInt(3) != 0);
    }

    private static KeepFunction keepFunction(SplittableRandom random, boolean customAllowed) {
        int choice = random.nextInt(customAllowed ? 6 : 5);
        return switch (choice) {
            case 0, 1 -> KeepFunction.identity();
            case 2 -> KeepFunction.linear((float) (random.nextDouble() * 3.0 - 0.5));
            case 3 -> KeepFunction.sigmoid((float) (random.nextDouble() * 6.0));
            case 4 -> KeepFunction.sigmoid(new float[] {40.0f, -30.0f, 1e6f}[random.nextInt(3)]);
            default -> KeepFunction.custom(p -> p * p * (3.0f - 2.0f * p));
        };
    }

    private static float[] leaks(SplittableRandom random, int tasks) {
        if (random.nextBoolean()) {
            return new float[] {random.nextBoolean() ? 0.0f : (float) random.nextDouble()};
        }
        float[] leaks = new float[tasks];
        for (int k = 0; k < tasks; k++) {
            leaks[k] = new float[] {0.0f, 1.0f, 1e-9f, (float) random.nextDouble()}[random.nextInt(4)];
        }
        return leaks;
    }

    private static float value(SplittableRandom random, boolean nonFinite) {
        int kind = random.nextInt(40);
        return switch (kind) {
            case 0 -> 0.0f;
            case 1 -> -0.0f;
            case 2 -> 1e-40f * (float) random.nextGaussian();
            case 3 -> 1e30f * (float) random.nextGaussian();
            case 4 -> nonFinite ? Float.NaN : 1.0f;
            case 5 -> nonFinite ? Math.copySign(Float.POSITIVE_INFINITY, (float) random.nextGaussian()) : -1.0f;
            default -> (float) (random.nextGaussian() * Math.exp(random.nextGaussian() * 2.0));
        };
    }
}
