package org.graddrop.opencl;

import org.graddrop.Statistics;
import org.graddrop.UnsupportedFeatureException;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Backend;
import org.graddrop.spi.Problem;

/** OpenCL kernels run through JOCL. */
public final class OpenClBackend implements Backend {

    private static final OpenClBackend INSTANCE = new OpenClBackend();

    public static OpenClBackend instance() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public Availability availability() {
        // TODO: probe OpenCL platforms; until then the backend reports itself unavailable.
        return Availability.unavailable("the OpenCL backend is not built yet", null);
    }

    @Override
    public void checkSupported(Problem problem) {
        throw new UnsupportedFeatureException(name(), "any call", "the OpenCL backend is not built yet");
    }

    @Override
    public Statistics apply(Problem problem) {
        throw new UnsupportedFeatureException(name(), "any call", "the OpenCL backend is not built yet");
    }

    /** Whether a GPU device is available. */
    public boolean hasGpu() {
        return false;
    }
}
