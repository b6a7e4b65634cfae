package org.graddrop.simd;

import org.graddrop.Statistics;
import org.graddrop.UnsupportedFeatureException;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Backend;
import org.graddrop.spi.Problem;

/** The native SIMD library, called through FFM downcalls. */
public final class NativeBackend implements Backend {

    private static final NativeBackend INSTANCE = new NativeBackend();

    public static NativeBackend instance() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public Availability availability() {
        // TODO: load the library from the jar; until then the backend reports itself unavailable.
        return Availability.unavailable("the native library is not built into this jar", null);
    }

    @Override
    public void checkSupported(Problem problem) {
        throw new UnsupportedFeatureException(name(), "any call", "the native library is not built into this jar");
    }

    @Override
    public Statistics apply(Problem problem) {
        throw new UnsupportedFeatureException(name(), "any call", "the native library is not built into this jar");
    }
}
