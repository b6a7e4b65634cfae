package org.graddrop.simd;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.graddrop.ActivationMode;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NonFinitePolicy;
import org.graddrop.NormMode;
import org.graddrop.PurityForm;
import org.graddrop.TieRule;
import org.graddrop.spi.Problem;

/**
 * Random problems for comparing backends: every option drawn at random, with inputs that include
 * zeros of both signs, subnormals, values at ties and, when asked, NaN and infinities. Each
 * problem can be built twice with the same inputs and separate outputs.
 */
final class RandomProblems {

    /** Where the segments of a problem live, which selects the native backend's calling path. */
    enum Memory { OFF_HEAP, HEAP_ONE_ARRAY, HEAP_SEPARATE_ARRAYS }

    /** The options of one problem, drawn once and reused for every backend. */
    record Options(int tasks, long batch, long features, boolean activations, ActivationMode activationMode,
                   PurityForm purityForm, KeepFunction keepFunction, TieRule tieRule, float epsilon, float[] leaks,
                   boolean marginalize, NormMode normMode, boolean seeded, long seed, long step, boolean taskOutputs,
                   boolean statistics, int histogramBins, NonFinitePolicy nonFinite, boolean special, long dataSeed) {

        long elements() {
            return batch * features;
        }

        long positions() {
            return marginalize ? features : batch * features;
        }

        @Override
        public String toString() {
            return "K=" + tasks + " B=" + batch + " D=" + features + " activations=" + (activations ? activationMode : "none")
                    + " purity=" + purityForm + " keep=" + keepFunction + " ties=" + tieRule + " eps=" + epsilon
                    + " marginalize=" + marginalize + " norm=" + normMode + " noise=" + (seeded ? "philox" : "explicit")
                    + " taskOutputs=" + taskOutputs + " statistics=" + statistics + " bins=" + histogramBins
                    + " nonFinite=" + nonFinite + " special=" + special;
        }
    }

    private RandomProblems() {
    }

    static Options draw(SplittableRandom random, int tasks, long batch, long features) {
        KeepFunction keep = switch (random.nextInt(3)) {
            case 0 -> KeepFunction.identity();
            case 1 -> KeepFunction.linear(new float[] {0.0f, 0.5f, 1.0f, 2.5f, -1.0f}[random.nextInt(5)]);
            default -> KeepFunction.sigmoid(new float[] {0.25f, 1.0f, 3.0f, 100.0f}[random.nextInt(4)]);
        };
        float[] leaks = new float[tasks];
        for (int k = 0; k < tasks; k++) {
            leaks[k] = new float[] {0.0f, 0.0f, 0.1f, 0.5f, 1.0f}[random.nextInt(5)];
        }
        return new Options(tasks, batch, features, random.nextInt(4) != 0,
                ActivationMode.values()[random.nextInt(ActivationMode.values().length)],
                random.nextBoolean() ? PurityForm.PAPER : PurityForm.LINGVO, keep,
                random.nextBoolean() ? TieRule.PAPER : TieRule.LINGVO,
                new float[] {0.0f, 1e-7f, 0.5f}[random.nextInt(3)], leaks, random.nextInt(3) != 0,
                NormMode.values()[random.nextInt(NormMode.values().length)], random.nextBoolean(), random.nextLong(),
                random.nextLong(), random.nextInt(3) == 0, random.nextBoolean(), 1 + random.nextInt(20),
                random.nextInt(4) == 0 ? NonFinitePolicy.REJECT : NonFinitePolicy.PROPAGATE, random.nextInt(4) == 0,
                random.nextLong());
    }

    /** Builds the problem in {@code arena} (or on the heap), with fresh outputs filled with a marker. */
    static Problem build(Options o, Memory memory, Arena arena, int threads) {
        SplittableRandom random = new SplittableRandom(o.dataSeed());
        int elements = Math.toIntExact(o.elements());
        int positions = Math.toIntExact(o.positions());

        float[] gradients = new float[o.tasks() * elements];
        for (int i = 0; i < gradients.length; i++) {
            gradients[i] = value(random, o.special());
        }
        float[] activations = new float[elements];
        for (int i = 0; i < elements; i++) {
            activations[i] = value(random, o.special());
        }
        float[] uniform = new float[positions];
        for (int i = 0; i < positions; i++) {
            uniform[i] = switch (random.nextInt(8)) {
                case 0 -> 0.5f;
                case 1 -> 0.0f;
                default -> (random.nextInt(1 << 24)) * 0x1p-24f;
            };
        }

        MemorySegment[] gradientSegments = new MemorySegment[o.tasks()];
        MemorySegment block = segment(gradients, memory, arena);
        for (int k = 0; k < o.tasks(); k++) {
            float[] task = java.util.Arrays.copyOfRange(gradients, k * elements, (k + 1) * elements);
            gradientSegments[k] = memory == Memory.HEAP_SEPARATE_ARRAYS ? MemorySegment.ofArray(task)
                    : block.asSlice((long) k * elements * Float.BYTES, (long) elements * Float.BYTES);
        }
        MemorySegment activationSegment = o.activations() ? segment(activations, memory, arena) : null;
        Noise noise = o.seeded() ? Noise.seeded(o.seed(), o.step()) : Noise.explicit(segment(uniform, memory, arena));

        MemorySegment output = segment(marker(elements), memory, arena);
        MemorySegment[] taskOutputs = null;
        if (o.taskOutputs()) {
            taskOutputs = new MemorySegment[o.tasks()];
            MemorySegment taskBlock = segment(marker(o.tasks() * elements), memory, arena);
            for (int k = 0; k < o.tasks(); k++) {
                taskOutputs[k] = memory == Memory.HEAP_SEPARATE_ARRAYS ? MemorySegment.ofArray(marker(elements))
                        : taskBlock.asSlice((long) k * elements * Float.BYTES, (long) elements * Float.BYTES);
            }
        }

        return new Problem(o.tasks(), o.batch(), o.features(), gradientSegments, activationSegment, o.activationMode(),
                o.purityForm(), o.keepFunction(), o.tieRule(), o.epsilon(), o.leaks().clone(), o.marginalize(), o.normMode(),
                noise, output, taskOutputs, o.statistics(), o.histogramBins(), o.nonFinite(), threads);
    }

    /** A value that the output can never hold, so an unwritten element shows. */
    static final float MARKER = -7.25e33f;

    private static float[] marker(int n) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, MARKER);
        return values;
    }

    private static MemorySegment segment(float[] values, Memory memory, Arena arena) {
        if (memory != Memory.OFF_HEAP) {
            return MemorySegment.ofArray(values.clone());
        }
        MemorySegment segment = arena.allocate(JAVA_FLOAT, Math.max(1, values.length));
        MemorySegment.copy(values, 0, segment, JAVA_FLOAT, 0, values.length);
        return segment.asSlice(0, (long) values.length * Float.BYTES);
    }

    /** Mostly values in [-2, 2), with the cases where float arithmetic is delicate. */
    private static float value(SplittableRandom random, boolean special) {
        return switch (random.nextInt(40)) {
            case 0 -> 0.0f;
            case 1 -> -0.0f;
            case 2 -> Float.intBitsToFloat(random.nextInt(0x007fffff) + 1) * (random.nextBoolean() ? 1 : -1);
            case 3 -> special ? Float.NaN : 1.0f;
            case 4 -> special ? (random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY) : -1.0f;
            case 5 -> 1e-8f;
            case 6 -> random.nextBoolean() ? 3.0e38f : -3.0e38f;
            case 7, 8 -> 0.5f;
            case 9 -> -0.5f;
            default -> (random.nextInt(1 << 24) * 0x1p-24f - 0.5f) * 4.0f;
        };
    }
}
