package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.graddrop.BackendUnavailableException;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.Request;
import org.graddrop.TaskGradients;
import org.graddrop.backend.Backends;
import org.graddrop.spi.Availability;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The suite runs on the backend it names and logs that backend's tier or device. */
@Tag("conformance")
class BackendPinningTest {

    private static final Logger LOG = LoggerFactory.getLogger(BackendPinningTest.class);

    @Test
    void pinnedBackendRuns() {
        Availability availability = BackendUnderTest.availability();
        LOG.info("Conformance backend under test: {} (available: {}, required: {}, detail: {})", BackendUnderTest.NAME,
                availability.available(), BackendUnderTest.required(), availability.detail());

        GradDrop graddrop = BackendUnderTest.builder().build();
        float[] output = new float[3];
        Request request = Request.of(TaskGradients.ofMatrix(new float[] {1, -2, 3}, new float[] {4, 5, -6}),
                Noise.seeded(1, 2), java.lang.foreign.MemorySegment.ofArray(output));

        assertEquals(BackendUnderTest.NAME, graddrop.backendFor(request));
        assertEquals(BackendUnderTest.NAME, graddrop.backend());

        graddrop.apply(request);
        for (float value : output) {
            assertTrue(Float.isFinite(value), "output " + java.util.Arrays.toString(output));
        }
    }

    @Test
    void requiredBackendIsAvailable() {
        Availability availability = BackendUnderTest.availability();
        assertNotNull(availability.detail(), "availability detail");
        if (BackendUnderTest.required()) {
            assertTrue(availability.available(), "backend '" + BackendUnderTest.NAME + "' is required but unavailable: "
                    + availability.detail());
        }
    }

    @Test
    void unavailablePinnedBackendFails() {
        for (String name : new String[] {"java", "native", "opencl"}) {
            Availability availability = Backends.byName(name).availability();
            LOG.info("Backend {}: available {}, {}", name, availability.available(), availability.detail());
            if (availability.available()) {
                continue;
            }
            GradDrop graddrop = GradDrop.builder().backend(name).build();
            float[] output = {7.0f};
            Request request = Request.of(TaskGradients.ofMatrix(new float[] {1}, new float[] {2}), Noise.seeded(0, 0),
                    java.lang.foreign.MemorySegment.ofArray(output));
            BackendUnavailableException error = assertThrows(BackendUnavailableException.class, () -> graddrop.apply(request));
            assertEquals(name, error.backend());
            assertTrue(error.getMessage().contains(name), error.getMessage());
            assertEquals(7.0f, output[0], "output written by a call that failed");
        }
    }
}
