package org.graddrop.opencl;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.graddrop.ActivationMode;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NonFinitePolicy;
import org.graddrop.NormMode;
import org.graddrop.PurityForm;
import org.graddrop.TieRule;
import org.graddrop.UnsupportedFeatureException;
import org.graddrop.spi.Problem;
import org.junit.jupiter.api.Test;

/** A call whose buffers exceed CL_DEVICE_MAX_MEM_ALLOC_SIZE is rejected in a typed way, so the automatic choice skips OpenCL. */
class BufferLimitTest {

    private static DeviceInfo deviceAllocatingAtMost(long bytes) {
        return new DeviceInfo(0, "test platform", "OpenCL 3.0", "vendor", "device", "GPU", 1, 1L << 34, 1L << 16, bytes,
                false, true, false, 256, 128, true, true, "OpenCL C 1.2", "1.0");
    }

    private static Plan plan(int tasks, long features) {
        MemorySegment[] gradients = new MemorySegment[tasks];
        java.util.Arrays.fill(gradients, MemorySegment.NULL);
        Problem problem = new Problem(tasks, 1, features, gradients, null, ActivationMode.SIGN, PurityForm.PAPER,
                KeepFunction.identity(), TieRule.PAPER, 0.0f, new float[tasks], true, NormMode.NONE, Noise.seeded(1, 2),
                MemorySegment.NULL, null, false, 10, NonFinitePolicy.PROPAGATE, 0);
        return Plan.of(problem);
    }

    @Test
    void gradientsLargerThanLargestBufferRejected() {
        UnsupportedFeatureException error = assertThrows(UnsupportedFeatureException.class,
                () -> OpenClBackend.checkSupported(deviceAllocatingAtMost(1L << 20), plan(2, (1L << 17) + 1)));

        assertTrue(error.getMessage().contains("1048584"), error.getMessage());
        assertTrue(error.getMessage().contains("CL_DEVICE_MAX_MEM_ALLOC_SIZE"), error.getMessage());
    }

    @Test
    void gradientsAtLargestBufferAccepted() {
        assertDoesNotThrow(() -> OpenClBackend.checkSupported(deviceAllocatingAtMost(1L << 20), plan(2, 1L << 17)));
    }
}
