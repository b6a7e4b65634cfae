package org.graddrop.simd;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.NonFiniteInputException;
import org.graddrop.Preset;
import org.graddrop.Request;
import org.graddrop.Statistics;
import org.graddrop.TaskGradients;
import org.graddrop.reference.JavaBackend;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Problem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The native backend against the Java reference: every output bit (NaN equal to NaN) and every
 * statistic, over random options and shapes around the SIMD widths and the 4096-position block.
 */
@Tag("simd")
class NativeBitIdentityTest {

    private static final long[] FEATURES = {1, 7, 8, 9, 15, 16, 17, 1023, 1025};
    private static final long[] BATCHES = {1, 2, 3, 5};
    private static final int[] TASKS = {1, 2, 3, 8};

    @BeforeAll
    static void requireNativeLibrary() {
        Availability availability = NativeBackend.instance().availability();
        assertTrue(availability.available(), () -> "native backend unavailable: " + availability.detail()
                + (availability.cause() == null ? "" : " (" + availability.cause() + ")"));
    }

    @Test
    void randomShapesAndOptionsMatchReference() {
        SplittableRandom random = new SplittableRandom(0x5eed_0001L);
        for (long features : FEATURES) {
            for (long batch : BATCHES) {
                for (int tasks : TASKS) {
                    RandomProblems.Options options = RandomProblems.draw(random, tasks, batch, features);
                    compare(options, RandomProblems.Memory.OFF_HEAP, 1 + random.nextInt(2));
                }
            }
        }
    }

    @Test
    void featuresBeyondOneBlockMatchReference() {
        SplittableRandom random = new SplittableRandom(0x5eed_0002L);
        for (int round = 0; round < 12; round++) {
            RandomProblems.Options options = RandomProblems.draw(random, 1 + random.nextInt(4), round % 3 == 0 ? 1 : 2,
                    4096 + 1 + random.nextInt(9000));
            compare(options, RandomProblems.Memory.OFF_HEAP, 1 + round % 2);
        }
    }

    @Test
    void everyMemoryPathMatchesReference() {
        SplittableRandom random = new SplittableRandom(0x5eed_0003L);
        for (RandomProblems.Memory memory : RandomProblems.Memory.values()) {
            for (int round = 0; round < 8; round++) {
                long features = round < 6 ? 1 + random.nextInt(300) : 70_000 + random.nextInt(50_000);
                RandomProblems.Options options = RandomProblems.draw(random, 1 + random.nextInt(4), 1 + random.nextInt(3),
                        features);
                compare(options, memory, 1 + round % 2);
            }
        }
    }

    @Test
    void threadCountsGiveSameBits() {
        SplittableRandom random = new SplittableRandom(0x5eed_0004L);
        for (int round = 0; round < 4; round++) {
            RandomProblems.Options options = RandomProblems.draw(random, 3, 8, 40_000 + random.nextInt(30_000));
            for (int threads : new int[] {1, 2, 0}) {
                compare(options, RandomProblems.Memory.OFF_HEAP, threads);
            }
        }
    }

    @Test
    void presetsMatchReference() {
        SplittableRandom random = new SplittableRandom(0x5eed_0006L);
        for (Preset preset : Preset.values()) {
            for (int round = 0; round < 4; round++) {
                boolean matrix = preset == Preset.TORCHJD || round == 0;
                int tasks = 1 + random.nextInt(4);
                int batch = matrix ? 1 : 1 + random.nextInt(4);
                int features = 1 + random.nextInt(2000);
                float[] gradients = randomFloats(random, tasks * batch * features);
                float[] activations = matrix ? null : randomFloats(random, batch * features);
                long seed = random.nextLong();

                float[][] outputs = new float[2][];
                Statistics[] statistics = new Statistics[2];
                String[] backends = {"java", "native"};
                for (int b = 0; b < 2; b++) {
                    GradDrop graddrop = GradDrop.builder().preset(preset).leaks(0.25f).backend(backends[b]).threads(1 + round % 2)
                            .build();
                    MemorySegment block = MemorySegment.ofArray(gradients.clone());
                    TaskGradients taskGradients = matrix ? TaskGradients.ofMatrix(block, tasks, features)
                            : TaskGradients.of(block, tasks, batch, features);
                    outputs[b] = new float[batch * features];
                    Request request = Request.of(taskGradients, Noise.seeded(seed, round), MemorySegment.ofArray(outputs[b]))
                            .withActivations(activations == null ? null : MemorySegment.ofArray(activations.clone()))
                            .withStatistics();
                    statistics[b] = graddrop.apply(request);
                }
                String context = "preset " + preset + ", K=" + tasks + " B=" + batch + " D=" + features;
                assertSameBits(MemorySegment.ofArray(outputs[0]), MemorySegment.ofArray(outputs[1]), "output", context);
                assertArrayEquals(statistics[0].keptCounts(), statistics[1].keptCounts(), context);
                assertArrayEquals(statistics[0].histogram(), statistics[1].histogram(), context);
                assertEquals(statistics[0].conflictCount(), statistics[1].conflictCount(), context);
                assertEquals(0, Double.compare(statistics[0].puritySum(), statistics[1].puritySum()), context);
            }
        }
    }

    private static float[] randomFloats(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextInt(10) == 0 ? 0.0f : (float) random.nextGaussian();
        }
        return values;
    }

    @Test
    void rejectedInputWritesNothing() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(0x5eed_0005L);
            RandomProblems.Options drawn = RandomProblems.draw(random, 3, 2, 100);
            RandomProblems.Options options = new RandomProblems.Options(3, 2, 100, true, drawn.activationMode(),
                    drawn.purityForm(), drawn.keepFunction(), drawn.tieRule(), drawn.epsilon(), drawn.leaks(), true,
                    drawn.normMode(), true, 1, 2, true, true, 10, org.graddrop.NonFinitePolicy.REJECT, false, 99);
            Problem problem = RandomProblems.build(options, RandomProblems.Memory.OFF_HEAP, arena, 1);
            problem.gradients()[2].setAtIndex(JAVA_FLOAT, 150, Float.POSITIVE_INFINITY);
            problem.gradients()[2].setAtIndex(JAVA_FLOAT, 170, Float.NaN);
            problem.activations().setAtIndex(JAVA_FLOAT, 3, Float.NaN);

            NonFiniteInputException e = assertThrows(NonFiniteInputException.class,
                    () -> NativeBackend.instance().apply(problem));
            assertEquals("gradients[2]", e.argument());
            assertEquals(150, e.index());
            assertEquals(Float.POSITIVE_INFINITY, e.value());
            for (long i = 0; i < problem.elements(); i++) {
                assertEquals(RandomProblems.MARKER, problem.output().getAtIndex(JAVA_FLOAT, i), "output[" + i + "] written");
                assertEquals(RandomProblems.MARKER, problem.taskOutputs()[0].getAtIndex(JAVA_FLOAT, i),
                        "taskOutputs[0][" + i + "] written");
            }

            problem.gradients()[2].setAtIndex(JAVA_FLOAT, 150, 1.0f);
            problem.gradients()[2].setAtIndex(JAVA_FLOAT, 170, 1.0f);
            NonFiniteInputException activations = assertThrows(NonFiniteInputException.class,
                    () -> NativeBackend.instance().apply(problem));
            assertEquals("activations", activations.argument());
            assertEquals(3, activations.index());
        }
    }

    /** Runs the options on both backends, each with its own outputs, and compares everything. */
    private static void compare(RandomProblems.Options options, RandomProblems.Memory memory, int threads) {
        try (Arena arena = Arena.ofConfined()) {
            Problem expected = RandomProblems.build(options, RandomProblems.Memory.OFF_HEAP, arena, threads);
            Problem actual = RandomProblems.build(options, memory, arena, threads);
            String context = options + " memory=" + memory + " threads=" + threads;

            Statistics expectedStatistics;
            try {
                expectedStatistics = JavaBackend.instance().apply(expected);
            } catch (NonFiniteInputException e) {
                NonFiniteInputException nativeError = assertThrows(NonFiniteInputException.class,
                        () -> NativeBackend.instance().apply(actual), context);
                assertEquals(e.argument(), nativeError.argument(), context);
                assertEquals(e.index(), nativeError.index(), context);
                assertEquals(Float.floatToRawIntBits(e.value()), Float.floatToRawIntBits(nativeError.value()), context);
                return;
            }
            Statistics actualStatistics = NativeBackend.instance().apply(actual);

            assertSameBits(expected.output(), actual.output(), "output", context);
            if (expected.taskOutputs() != null) {
                for (int k = 0; k < options.tasks(); k++) {
                    assertSameBits(expected.taskOutputs()[k], actual.taskOutputs()[k], "taskOutputs[" + k + "]", context);
                }
            }
            if (expectedStatistics == null) {
                assertNull(actualStatistics, context);
                return;
            }
            assertEquals(expectedStatistics.positions(), actualStatistics.positions(), context);
            assertArrayEquals(expectedStatistics.keptCounts(), actualStatistics.keptCounts(), "kept counts, " + context);
            assertEquals(expectedStatistics.conflictCount(), actualStatistics.conflictCount(), "conflicts, " + context);
            assertArrayEquals(expectedStatistics.histogram(), actualStatistics.histogram(), "histogram, " + context);
            assertEquals(0, Double.compare(expectedStatistics.puritySum(), actualStatistics.puritySum()),
                    () -> "purity sum " + expectedStatistics.puritySum() + " vs " + actualStatistics.puritySum() + ", " + context);
        }
    }

    private static void assertSameBits(MemorySegment expected, MemorySegment actual, String name, String context) {
        long n = expected.byteSize() / Float.BYTES;
        for (long i = 0; i < n; i++) {
            float e = expected.getAtIndex(JAVA_FLOAT, i);
            float a = actual.getAtIndex(JAVA_FLOAT, i);
            boolean same = Float.isNaN(e) ? Float.isNaN(a) : Float.floatToRawIntBits(e) == Float.floatToRawIntBits(a);
            if (!same) {
                fail(name + "[" + i + "] is " + a + " (0x" + Integer.toHexString(Float.floatToRawIntBits(a)) + "), expected "
                        + e + " (0x" + Integer.toHexString(Float.floatToRawIntBits(e)) + "); tier " + NativeBackend.tierName()
                        + ", " + context);
            }
        }
    }
}
