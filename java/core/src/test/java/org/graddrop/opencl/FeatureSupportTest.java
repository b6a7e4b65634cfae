package org.graddrop.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NonFiniteInputException;
import org.graddrop.NonFinitePolicy;
import org.graddrop.TaskGradients;
import org.graddrop.UnsupportedFeatureException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What the OpenCL backend rejects, and the division fallback for devices without exact float division. */
@Tag("opencl")
class FeatureSupportTest {

    @BeforeEach
    void requireDevice() {
        OpenClTests.requireDevice();
    }

    @Test
    void customKeepFunctionRejected() {
        GradDrop graddrop = GradDrop.builder().keepFunction(KeepFunction.custom(p -> p)).backend("opencl").build();
        float[] output = new float[2];
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> graddrop.apply(
                TaskGradients.ofMatrix(new float[] {1, 2}, new float[] {3, -4}), null, Noise.seeded(1, 1),
                MemorySegment.ofArray(output)));
        assertEquals("custom keep function", e.feature());
        assertArrayEquals(new float[2], output);
    }

    @Test
    void nonFiniteRejectWritesNothing() {
        GradDrop graddrop = GradDrop.builder().nonFinitePolicy(NonFinitePolicy.REJECT).backend("opencl").build();
        float[] output = {7, 7};
        NonFiniteInputException e = assertThrows(NonFiniteInputException.class, () -> graddrop.apply(
                TaskGradients.ofMatrix(new float[] {1, 2}, new float[] {3, Float.NaN}), null, Noise.seeded(1, 1),
                MemorySegment.ofArray(output)));
        assertEquals("gradients[1]", e.argument());
        assertEquals(1, e.index());
        assertArrayEquals(new float[] {7, 7}, output);
    }

    @Test
    void divisionThroughDoubleMatchesReference() {
        assumeFp64();
        DeviceContext.divideInDoubleForTests = true;
        try {
            SplittableRandom random = new SplittableRandom(11);
            for (int i = 0; i < 6; i++) {
                BitIdentityTest.Case drawn = BitIdentityTest.Case.random(random, 1 + i, 1 + i % 3, 513 + i);
                drawn.assertSameBits();
            }
        } finally {
            DeviceContext.divideInDoubleForTests = false;
        }
    }

    @Test
    void buildOptionsAreExplicit() {
        DeviceInfo info = OpenClBackend.instance().selectedDevice();
        String options = DeviceContext.buildOptions(info, new KernelVariant(3, 16, true, false));
        assertTrue(options.startsWith("-cl-std=CL1.2 -D TASKS=3 -D WIDTH=16 -D STATISTICS"), options);
        assertFalse(options.contains("-D NORMS"), options);
        assertTrue((options + " ").contains(" -D TILE_FLOATS=" + KernelRun.TILE_FLOATS + " "), options);
        assertFalse(options.contains("mad-enable"), options);
        assertFalse(options.contains("fast-relaxed-math"), options);
        assertFalse(options.contains("unsafe-math"), options);
        assertTrue(options.contains("-cl-fp32-correctly-rounded-divide-sqrt") || options.contains("-D DIVIDE_IN_DOUBLE"),
                options);
    }

    @Test
    void memoryHintsOnlyForPoclCpus() {
        KernelVariant variant = new KernelVariant(2, 16, false, false);
        DeviceInfo poclCpu = device("Portable Computing Language", "CPU");
        DeviceInfo poclGpu = device("Portable Computing Language", "GPU");
        DeviceInfo otherCpu = device("Intel(R) OpenCL", "CPU");
        assertTrue(DeviceContext.buildOptions(poclCpu, variant).contains(" -D MEMORY_HINTS"));
        assertFalse(DeviceContext.buildOptions(poclGpu, variant).contains("MEMORY_HINTS"));
        assertFalse(DeviceContext.buildOptions(otherCpu, variant).contains("MEMORY_HINTS"));
    }

    private static DeviceInfo device(String platform, String type) {
        return new DeviceInfo(0, platform, "OpenCL 3.0", "vendor", "device", type, 2, 1L << 30, 1L << 16, 1L << 28,
                true, true, false, 1024, 128, true, true, "OpenCL C 1.2", "1.0");
    }

    private static void assumeFp64() {
        org.junit.jupiter.api.Assumptions.assumeTrue(OpenClBackend.instance().selectedDevice().fp64(),
                "the selected device lacks cl_khr_fp64, so it has no division fallback to test");
    }
}
