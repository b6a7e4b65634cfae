package org.graddrop.opencl;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.graddrop.spi.Availability;

/**
 * The gate of the OpenCL tests: they skip with the reason on a machine without a usable OpenCL
 * device, unless {@code graddrop.test.requireBackend=opencl}, where a missing device fails them.
 */
final class OpenClTests {

    static final String REQUIRE_PROPERTY = "graddrop.test.requireBackend";

    private OpenClTests() {
    }

    static boolean required() {
        return "opencl".equals(System.getProperty(REQUIRE_PROPERTY));
    }

    /** Skips the calling test, printing why, or fails it when OpenCL is required. */
    static void requireDevice() {
        Availability availability = OpenClBackend.instance().availability();
        if (availability.available()) {
            return;
        }
        String reason = "no usable OpenCL device: " + availability.detail();
        if (required()) {
            fail(REQUIRE_PROPERTY + "=opencl but " + reason, availability.cause());
        }
        System.out.println("OpenCL tests skipped: " + reason);
        assumeTrue(false, "OpenCL tests skipped: " + reason);
    }
}
