package org.graddrop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import org.graddrop.GradDrop;
import org.junit.jupiter.api.Test;

class BenchmarkSupportTest {

    @Test
    void batchedWorkloadShapeAndTraffic() {
        try (Workload workload = Workload.create(4, 65536, "batched")) {
            assertEquals(256, workload.batch);
            assertEquals(256, workload.features);
            assertNotNull(workload.activations);
            assertEquals(6L * 65536 * Float.BYTES, workload.trafficBytes());
            assertEquals(0, workload.gradients.address() % Workload.ALIGNMENT);
            assertEquals(0, workload.output.address() % Workload.ALIGNMENT);
        }
    }

    @Test
    void unbatchedWorkloadHasNoActivations() {
        try (Workload workload = Workload.create(2, 4096, "unbatched")) {
            assertEquals(1, workload.batch);
            assertEquals(4096, workload.features);
            assertNull(workload.activations);
            assertEquals(3L * 4096 * Float.BYTES, workload.trafficBytes());
        }
    }

    @Test
    void invalidLayoutRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Workload.create(2, 4096, "strided"));
        assertTrue(error.getMessage().contains("strided"), error.getMessage());
    }

    @Test
    void referenceCheckAcceptsJavaOutput() {
        try (Workload workload = Workload.create(3, 4096, "batched")) {
            GradDrop graddrop = BackendSetup.configuration("java");
            graddrop.apply(workload.request(workload.output));

            ReferenceCheck.requireReferenceOutput("java", workload, workload.output);
        }
    }

    @Test
    void referenceCheckRejectsOneChangedElement() {
        try (Workload workload = Workload.create(3, 4096, "batched")) {
            BackendSetup.configuration("java").apply(workload.request(workload.output));
            float original = workload.output.getAtIndex(ValueLayout.JAVA_FLOAT, 1234);
            workload.output.setAtIndex(ValueLayout.JAVA_FLOAT, 1234, Math.nextUp(original));

            IllegalStateException error = assertThrows(IllegalStateException.class,
                    () -> ReferenceCheck.requireReferenceOutput("broken", workload, workload.output));
            assertTrue(error.getMessage().contains("element 1234"), error.getMessage());
            assertTrue(error.getMessage().contains("broken"), error.getMessage());
        }
    }

    @Test
    void tierRejectedForJavaBackend() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BackendSetup.prepare("java", "avx2", BackendSetup.DEFAULT_DEVICE));
        assertTrue(error.getMessage().contains("avx2"), error.getMessage());
    }
}
