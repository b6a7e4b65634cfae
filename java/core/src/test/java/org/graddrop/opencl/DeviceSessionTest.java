package org.graddrop.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NonFinitePolicy;
import org.graddrop.NormMode;
import org.graddrop.Preset;
import org.graddrop.Request;
import org.graddrop.Statistics;
import org.graddrop.TaskGradients;
import org.graddrop.UnsupportedFeatureException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Device-resident tensors give the Java reference's bits, step after step. */
@Tag("opencl")
class DeviceSessionTest {

    private static final int TASKS = 3;
    private static final long BATCH = 4;
    private static final long FEATURES = 5003;

    @BeforeEach
    void requireDevice() {
        OpenClTests.requireDevice();
    }

    @Test
    void trainingLoopMatchesReference() {
        GradDrop settings = GradDrop.builder().preset(Preset.LINGVO).keepFunction(KeepFunction.sigmoid(1.5f))
                .leaks(0.1f, 0.0f, 0.5f).build();
        long elements = BATCH * FEATURES;
        SplittableRandom random = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined(); DeviceSession session = OpenClBackend.instance().openSession()) {
            MemorySegment gradients = arena.allocate(TASKS * elements * Float.BYTES, 64);
            MemorySegment activations = arena.allocate(elements * Float.BYTES, 64);
            MemorySegment expected = arena.allocate(elements * Float.BYTES, 64);
            MemorySegment actual = arena.allocate(elements * Float.BYTES, 64);
            DeviceTensor deviceGradients = session.allocate(TASKS * elements);
            DeviceTensor deviceActivations = session.allocate(elements);
            DeviceTensor deviceOutput = session.allocate(elements);
            DeviceTensor deviceTaskOutputs = session.allocate(TASKS * elements);

            for (long step = 0; step < 3; step++) {
                fill(gradients, random);
                fill(activations, random);
                Noise noise = Noise.seeded(42, step);
                Statistics reference = GradDrop.builder().preset(Preset.LINGVO).keepFunction(KeepFunction.sigmoid(1.5f))
                        .leaks(0.1f, 0.0f, 0.5f).backend("java").build()
                        .apply(Request.of(TaskGradients.of(gradients, TASKS, BATCH, FEATURES), noise, expected)
                                .withActivations(activations).withStatistics());

                deviceGradients.upload(gradients);
                deviceActivations.upload(activations);
                Statistics statistics = session.apply(settings, deviceGradients, TASKS, BATCH, FEATURES, deviceActivations,
                        noise, deviceOutput, deviceTaskOutputs, true);
                deviceOutput.download(actual);

                assertArrayEquals(expected.toArray(ValueLayout.JAVA_INT), actual.toArray(ValueLayout.JAVA_INT), "step " + step);
                assertArrayEquals(reference.keptCounts(), statistics.keptCounts(), "step " + step);
                assertEquals(reference.puritySum(), statistics.puritySum(), "step " + step);
                assertEquals(session.device(), OpenClBackend.instance().lastDevice());
            }
        }
    }

    @Test
    void heapDownloadAndExplicitNoise() {
        GradDrop settings = GradDrop.builder().normMode(NormMode.KEEP).build();
        float[] gradients = {1, -2, 3, 0.5f, 4, -1};
        float[] uniform = {0.25f, 0.75f, 0.5f};
        float[] expected = new float[3];
        GradDrop.builder().normMode(NormMode.KEEP).backend("java").build()
                .apply(TaskGradients.ofMatrix(MemorySegment.ofArray(gradients), 2, 3), null, Noise.explicit(uniform),
                        MemorySegment.ofArray(expected));
        try (DeviceSession session = OpenClBackend.instance().openSession()) {
            DeviceTensor deviceGradients = session.upload(MemorySegment.ofArray(gradients));
            DeviceTensor output = session.allocate(3);
            session.apply(settings, deviceGradients, 2, 1, 3, null, Noise.explicit(uniform), output);
            float[] actual = new float[3];
            output.download(MemorySegment.ofArray(actual));
            assertArrayEquals(expected, actual);
        }
    }

    @Test
    void rejectsMismatchedAndReusedTensors() {
        try (DeviceSession session = OpenClBackend.instance().openSession()) {
            DeviceTensor gradients = session.allocate(8);
            DeviceTensor output = session.allocate(4);
            GradDrop settings = GradDrop.builder().build();
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> session.apply(settings, gradients, 3, 1, 4, null, Noise.seeded(1, 1), output));
            assertEquals("gradients has 8 floats, expected 12", size.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> session.apply(settings, gradients, 2, 1, 4, null, Noise.seeded(1, 1), gradients));
            assertThrows(UnsupportedFeatureException.class, () -> session.apply(
                    GradDrop.builder().nonFinitePolicy(NonFinitePolicy.REJECT).build(), gradients, 2, 1, 4, null,
                    Noise.seeded(1, 1), output));
            output.close();
            assertThrows(IllegalStateException.class,
                    () -> session.apply(settings, gradients, 2, 1, 4, null, Noise.seeded(1, 1), output));
        }
    }

    private static void fill(MemorySegment segment, SplittableRandom random) {
        for (long i = 0; i < segment.byteSize() / Float.BYTES; i++) {
            segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, random.nextInt(10) == 0 ? 0.0f : (float) random.nextGaussian());
        }
    }
}
