package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Locale;
import org.graddrop.GradDrop;
import org.graddrop.backend.Backends;
import org.graddrop.spi.Availability;

/**
 * The backend that the conformance suite runs against, from the system property
 * {@code graddrop.test.backend} ("java" when absent). When {@code graddrop.test.requireBackend}
 * names the same backend, an unavailable backend fails the tests instead of skipping them, so a
 * CI job meant for that backend cannot pass without running it.
 */
final class BackendUnderTest {

    static final String PROPERTY = "graddrop.test.backend";
    static final String REQUIRE_PROPERTY = "graddrop.test.requireBackend";

    static final String NAME = Backends.requireKnownName(System.getProperty(PROPERTY, "java"));

    private BackendUnderTest() {
    }

    /** True when {@code graddrop.test.requireBackend} names the backend under test. */
    static boolean required() {
        String required = System.getProperty(REQUIRE_PROPERTY, "");
        return required.trim().toLowerCase(Locale.ROOT).equals(NAME);
    }

    static Availability availability() {
        return Backends.byName(NAME).availability();
    }

    /** Fails when the backend is unavailable and required, else skips the calling test with the reason. */
    static void assumeAvailable() {
        Availability availability = availability();
        if (availability.available()) {
            return;
        }
        String reason = "backend '" + NAME + "' is unavailable: " + availability.detail();
        if (required()) {
            fail(reason + " (" + REQUIRE_PROPERTY + "=" + NAME + " makes this a failure)", availability.cause());
        }
        assumeTrue(false, reason + "; set -D" + REQUIRE_PROPERTY + "=" + NAME + " to fail instead of skipping");
    }

    /** A builder pinned to the backend under test; skips or fails first when it is unavailable. */
    static GradDrop.Builder builder() {
        assumeAvailable();
        return GradDrop.builder().backend(NAME);
    }

    /** Custom keep functions run only on the Java backend; the others reject them. */
    static boolean supportsCustomKeepFunction() {
        return NAME.equals("java");
    }
}
