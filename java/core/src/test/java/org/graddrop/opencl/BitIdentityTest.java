package org.graddrop.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.graddrop.ActivationMode;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.graddrop.PurityForm;
import org.graddrop.Request;
import org.graddrop.Statistics;
import org.graddrop.TaskGradients;
import org.graddrop.TieRule;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The OpenCL backend returns the Java reference's bits for every option, preset and shape. */
@Tag("opencl")
class BitIdentityTest {

    private static final long[] FEATURES = {1, 7, 8, 9, 15, 16, 17, 1023, 1025, 8199};
    private static final long[] BATCHES = {1, 2, 5};
    private static final int[] TASKS = {1, 2, 3, 8};

    @BeforeEach
    void requireDevice() {
        OpenClTests.requireDevice();
    }

    @Test
    void randomizedConfigurationsOverAllShapes() {
        SplittableRandom random = new SplittableRandom(20240611L);
        for (long features : FEATURES) {
            for (long batch : BATCHES) {
                for (int tasks : TASKS) {
                    Case drawn = Case.random(random, tasks, batch, features);
                    drawn.assertSameBits();
                }
            }
        }
    }

    @Test
    void everyPresetAndOption() {
        SplittableRandom random = new SplittableRandom(7L);
        List<GradDrop.Builder> builders = new ArrayList<>();
        for (Preset preset : Preset.values()) {
            builders.add(GradDrop.builder().preset(preset));
        }
        for (KeepFunction keep : new KeepFunction[] {KeepFunction.identity(), KeepFunction.linear(0.7f),
                KeepFunction.sigmoid(3.5f), KeepFunction.sigmoid(-40.0f)}) {
            for (PurityForm form : PurityForm.values()) {
                builders.add(GradDrop.builder().keepFunction(keep).purityForm(form));
            }
        }
        for (ActivationMode mode : ActivationMode.values()) {
            builders.add(GradDrop.builder().activationMode(mode).epsilon(0.25f));
        }
        for (TieRule rule : TieRule.values()) {
            builders.add(GradDrop.builder().tieRule(rule).leaks(0.0f, 0.3f, 1.0f));
        }
        for (NormMode mode : NormMode.values()) {
            builders.add(GradDrop.builder().normMode(mode).epsilon(1e-3f));
            builders.add(GradDrop.builder().normMode(mode).marginalizeBatch(false));
        }
        builders.add(GradDrop.builder().histogramBins(1));
        builders.add(GradDrop.builder().histogramBins(4096));

        for (GradDrop.Builder builder : builders) {
            for (boolean withActivations : new boolean[] {false, true}) {
                GradDrop probe = builder.build();
                if (probe.preset() == Preset.TORCHJD && withActivations) {
                    continue;
                }
                long batch = probe.preset() == Preset.TORCHJD ? 1 : 3;
                Case drawn = Case.random(random, 3, batch, 4099);
                drawn.builder = builder;
                drawn.activations = withActivations;
                drawn.matrix = probe.preset() == Preset.TORCHJD;
                drawn.assertSameBits();
            }
        }
    }

    @Test
    void manyTasksUseSeveralTaskWords() {
        SplittableRandom random = new SplittableRandom(99L);
        Case drawn = Case.random(random, 40, 2, 33);
        drawn.statistics = true;
        drawn.taskOutputs = true;
        drawn.assertSameBits();
    }

    @Test
    void perExampleMasksOverSeveralBlocks() {
        SplittableRandom random = new SplittableRandom(5L);
        Case drawn = Case.random(random, 2, 3, 3001);
        drawn.builder = GradDrop.builder().marginalizeBatch(false).normMode(NormMode.KEEP);
        drawn.statistics = true;
        drawn.assertSameBits();
    }

    @Test
    void outputLargeEnoughForStreamingStores() {
        // CPU devices write outputs of 8 MiB and more with streaming stores when they are aligned.
        SplittableRandom random = new SplittableRandom(31L);
        Case drawn = Case.random(random, 2, 2, 1L << 20);
        drawn.layout = 0;
        drawn.assertSameBits();
    }

        /** One randomly drawn call, run on both backends. */
    static final class Case {
        int tasks;
        long batch;
        long features;
        GradDrop.Builder builder;
        boolean activations;
        boolean matrix;
        boolean explicitNoise;
        boolean taskOutputs;
        boolean statistics;
        int layout;
        long seed;
        SplittableRandom random;

        static Case random(SplittableRandom random, int tasks, long batch, long features) {
            Case drawn = new Case();
            drawn.tasks = tasks;
            drawn.batch = batch;
            drawn.features = features;
            drawn.random = random.split();
            drawn.seed = random.nextLong();
            drawn.activations = random.nextBoolean();
            drawn.explicitNoise = random.nextInt(4) == 0;
            drawn.taskOutputs = random.nextBoolean();
            drawn.statistics = random.nextBoolean();
            drawn.layout = random.nextInt(3);
            drawn.builder = randomBuilder(random, tasks);
            return drawn;
        }

        private static GradDrop.Builder randomBuilder(SplittableRandom random, int tasks) {
            Preset preset = new Preset[] {Preset.PAPER, Preset.LIBMTL, Preset.LINGVO}[random.nextInt(3)];
            GradDrop.Builder builder = GradDrop.builder().preset(preset);
            switch (random.nextInt(3)) {
                case 0 -> builder.keepFunction(KeepFunction.identity());
                case 1 -> builder.keepFunction(KeepFunction.linear((float) random.nextDouble(-2, 2)));
                default -> builder.keepFunction(KeepFunction.sigmoid((float) random.nextDouble(-8, 8)));
            }
            if (random.nextBoolean()) {
                builder.activationMode(ActivationMode.values()[random.nextInt(3)]);
            }
            if (random.nextInt(3) == 0) {
                builder.epsilon(random.nextBoolean() ? 0.0f : (float) random.nextDouble(0, 0.5));
            }
            if (random.nextBoolean()) {
                float[] leaks = new float[tasks];
                for (int k = 0; k < tasks; k++) {
                    leaks[k] = random.nextInt(3) == 0 ? 0.0f : (float) random.nextDouble();
                }
                builder.leaks(leaks);
            } else {
                builder.leak(random.nextBoolean() ? 0.0f : (float) random.nextDouble());
            }
            if (random.nextInt(3) == 0) {
                builder.normMode(NormMode.values()[random.nextInt(3)]);
            }
            builder.marginalizeBatch(random.nextInt(3) != 0);
            builder.histogramBins(1 + random.nextInt(20));
            return builder;
        }

        void assertSameBits() {
            String label = "K=" + tasks + " B=" + batch + " D=" + features + " " + builder.build() + " activations="
                    + activations + " explicitNoise=" + explicitNoise + " taskOutputs=" + taskOutputs + " statistics="
                    + statistics + " layout=" + layout;
            try (Arena arena = Arena.ofConfined()) {
                long elements = batch * features;
                SplittableRandom values = new SplittableRandom(seed);
                MemorySegment block = allocate(arena, tasks * elements);
                fill(block, values, tasks * elements);
                MemorySegment[] perTask = new MemorySegment[tasks];
                for (int k = 0; k < tasks; k++) {
                    perTask[k] = copyOut(arena, block.asSlice(k * elements * Float.BYTES, elements * Float.BYTES));
                }
                TaskGradients gradients = matrix ? TaskGradients.ofMatrix(block, tasks, features)
                        : layout == 2 ? TaskGradients.of(batch, features, perTask)
                        : TaskGradients.of(block, tasks, batch, features);

                MemorySegment activationValues = null;
                if (activations) {
                    activationValues = allocate(arena, elements);
                    fill(activationValues, values, elements);
                }

                GradDrop reference = builder.backend("java").build();
                long positions = reference.marginalizeBatch() || matrix ? features : elements;
                Noise noise = Noise.seeded(values.nextLong(), values.nextLong());
                if (explicitNoise) {
                    MemorySegment uniform = allocate(arena, positions);
                    for (long i = 0; i < positions; i++) {
                        uniform.setAtIndex(ValueLayout.JAVA_FLOAT, i, (values.nextInt(1 << 24) >>> values.nextInt(24)) * 0x1.0p-24f);
                    }
                    noise = Noise.explicit(uniform);
                }

                Result expected = run(arena, reference, gradients, activationValues, noise);
                Result actual = run(arena, builder.backend("opencl").build(), gradients, activationValues, noise);
                assertEquals(OpenClBackend.instance().selectedDevice(), OpenClBackend.instance().lastDevice(), label);

                assertArrayEquals(bits(expected.output), bits(actual.output), "output of " + label);
                if (taskOutputs) {
                    for (int k = 0; k < tasks; k++) {
                        assertArrayEquals(bits(expected.taskOutputs[k]), bits(actual.taskOutputs[k]),
                                "task output " + k + " of " + label);
                    }
                }
                if (statistics) {
                    assertArrayEquals(expected.statistics.keptCounts(), actual.statistics.keptCounts(), "kept counts of " + label);
                    assertEquals(expected.statistics.conflictCount(), actual.statistics.conflictCount(), "conflicts of " + label);
                    assertEquals(Double.doubleToLongBits(expected.statistics.puritySum()),
                            Double.doubleToLongBits(actual.statistics.puritySum()), "purity sum of " + label);
                    assertArrayEquals(expected.statistics.histogram(), actual.statistics.histogram(), "histogram of " + label);
                    assertEquals(expected.statistics.positions(), actual.statistics.positions(), "positions of " + label);
                }
            }
        }

        private record Result(MemorySegment output, MemorySegment[] taskOutputs, Statistics statistics) {
        }

        private Result run(Arena arena, GradDrop graddrop, TaskGradients gradients, MemorySegment activationValues,
                           Noise noise) {
            long elements = batch * features;
            MemorySegment output = allocate(arena, elements);
            Request request = Request.of(gradients, noise, output).withActivations(activationValues);
            MemorySegment[] outputs = null;
            if (taskOutputs) {
                outputs = new MemorySegment[tasks];
                if (layout == 0) {
                    MemorySegment outputBlock = allocate(arena, tasks * elements);
                    for (int k = 0; k < tasks; k++) {
                        outputs[k] = outputBlock.asSlice(k * elements * Float.BYTES, elements * Float.BYTES);
                    }
                } else {
                    for (int k = 0; k < tasks; k++) {
                        outputs[k] = allocate(arena, elements);
                    }
                }
                request = request.withTaskOutputs(outputs);
            }
            if (statistics) {
                request = request.withStatistics();
            }
            Statistics result = graddrop.apply(request);
            return new Result(output, outputs, result);
        }

        /** Native and aligned, heap, or native but 4 bytes past an aligned address, by layout. */
        private MemorySegment allocate(Arena arena, long floats) {
            return switch (layout) {
                case 0 -> arena.allocate(floats * Float.BYTES, 128);
                case 1 -> MemorySegment.ofArray(new float[Math.toIntExact(floats)]);
                default -> arena.allocate((floats + 1) * Float.BYTES, 128).asSlice(Float.BYTES, floats * Float.BYTES);
            };
        }

        private MemorySegment copyOut(Arena arena, MemorySegment source) {
            MemorySegment copy = allocate(arena, source.byteSize() / Float.BYTES);
            copy.copyFrom(source);
            return copy;
        }

        /** Random gradients with zeros of both signs, ties, subnormals, and now and then a NaN or infinity. */
        private static void fill(MemorySegment segment, SplittableRandom random, long count) {
            for (long i = 0; i < count; i++) {
                int pick = random.nextInt(100);
                float value;
                if (pick < 8) {
                    value = 0.0f;
                } else if (pick < 12) {
                    value = -0.0f;
                } else if (pick < 16) {
                    value = random.nextBoolean() ? 1.0f : -1.0f;
                } else if (pick < 18) {
                    value = Float.intBitsToFloat(random.nextInt(1, 1 << 23)) * (random.nextBoolean() ? 1 : -1);
                } else if (pick == 18 && random.nextInt(10) == 0) {
                    value = new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}[random.nextInt(3)];
                } else {
                    value = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 3)));
                }
                segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
            }
        }

        private static int[] bits(MemorySegment segment) {
            int[] bits = new int[Math.toIntExact(segment.byteSize() / Float.BYTES)];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = Float.floatToIntBits(segment.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            }
            return bits;
        }
    }
}
