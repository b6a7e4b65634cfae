package org.graddrop.backend;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.graddrop.BackendUnavailableException;
import org.graddrop.KeepFunction;
import org.graddrop.UnsupportedFeatureException;
import org.graddrop.opencl.OpenClBackend;
import org.graddrop.reference.JavaBackend;
import org.graddrop.simd.NativeBackend;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Backend;
import org.graddrop.spi.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of backends and the rule that picks one per call.
 *
 * <p>An explicit choice (the builder, then the system property {@code graddrop.backend}, then the
 * environment variable {@code GRADDROP_BACKEND}) is honoured or fails with the reason. Otherwise
 * the choice is automatic: an OpenCL GPU when the call moves enough bytes to pay for the transfer,
 * else the native SIMD library, else an OpenCL CPU device, else Java. Each distinct decision is
 * logged once at info.
 */
public final class Backends {

    /** The system property that pins a backend. */
    public static final String PROPERTY = "graddrop.backend";

    /** The environment variable that pins a backend when the property is absent. */
    public static final String ENVIRONMENT = "GRADDROP_BACKEND";

    /** The system property for the smallest call, in bytes moved, that the automatic choice sends to a GPU. */
    public static final String GPU_MIN_BYTES_PROPERTY = "graddrop.gpu.minBytes";

    // NOTE: an estimate, not a measurement: below about 64 MiB of traffic the PCIe transfers of a
    // discrete GPU cost more than the native library's single pass over host memory.
    private static final long DEFAULT_GPU_MIN_BYTES = 64L << 20;

    private static final List<String> NAMES = List.of("java", "native", "opencl");
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    private static final Set<String> LOGGED_SKIPS = ConcurrentHashMap.newKeySet();

    private Backends() {
    }

    /** Returns {@code name} in lower case if it is "auto" or a known backend, else throws. */
    public static String requireKnownName(String name) {
        return requireKnownName(name, null);
    }

    private static String requireKnownName(String name, String source) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        if (!lower.equals("auto") && !NAMES.contains(lower)) {
            throw new IllegalArgumentException("unknown backend '" + name + "'" + (source == null ? "" : " in the " + source)
                    + ": expected auto, java, native or opencl");
        }
        return lower;
    }

    /** Returns the backend named {@code name}, whether or not it is available. */
    public static Backend byName(String name) {
        return switch (requireKnownName(name)) {
            case "java" -> JavaBackend.instance();
            case "native" -> NativeBackend.instance();
            case "opencl" -> OpenClBackend.instance();
            default -> throw new IllegalArgumentException("'auto' names no single backend");
        };
    }

    /** Returns every backend, in the order of the automatic preference on a machine without a GPU. */
    public static List<Backend> all() {
        return List.of(NativeBackend.instance(), OpenClBackend.instance(), JavaBackend.instance());
    }

    /** Returns the explicit choice from the builder, the system property or the environment, or "auto". */
    public static String pinnedName(String requested) {
        if (!requested.equals("auto")) {
            return requested;
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return requireKnownName(property, "system property " + PROPERTY);
        }
        String environment = System.getenv(ENVIRONMENT);
        if (environment != null && !environment.isBlank()) {
            return requireKnownName(environment, "environment variable " + ENVIRONMENT);
        }
        return "auto";
    }

    /**
     * Picks the backend for one call. A pinned backend that is unavailable or cannot compute the
     * problem exactly fails the call; the automatic choice skips it and logs why.
     */
    public static Backend select(String requested, Problem problem) {
        String pinned = pinnedName(requested);
        if (!pinned.equals("auto")) {
            Backend backend = byName(pinned);
            Availability availability = backend.availability();
            if (!availability.available()) {
                throw new BackendUnavailableException(pinned, availability.detail(), availability.cause());
            }
            backend.checkSupported(problem);
            if (Decision.pinned(backend.name()).firstTime()) {
                log(backend.name(), "the caller pinned it");
            }
            return backend;
        }
        return automatic(problem);
    }

    private static Backend automatic(Problem problem) {
        if (problem.keepFunction().kind() == KeepFunction.Kind.CUSTOM) {
            if (Decision.CUSTOM_KEEP_FUNCTION.firstTime()) {
                log("java", "a custom keep function runs only on the Java backend");
            }
            return JavaBackend.instance();
        }

        long gpuMinBytes = Long.getLong(GPU_MIN_BYTES_PROPERTY, DEFAULT_GPU_MIN_BYTES);
        OpenClBackend openCl = OpenClBackend.instance();
        if (problem.trafficBytes() >= gpuMinBytes && openCl.availability().available() && openCl.hasGpu()
                && supports(openCl, problem)) {
            if (Decision.GPU.firstTime()) {
                log("opencl", "the OpenCL GPU " + openCl.selectedDevice().describe() + " is present and the call moves at least "
                        + gpuMinBytes + " bytes");
            }
            return openCl;
        }

        NativeBackend simd = NativeBackend.instance();
        if (simd.availability().available() && supports(simd, problem)) {
            if (Decision.NATIVE.firstTime()) {
                log("native", "the native SIMD library is loaded (" + simd.availability().detail() + ")");
            }
            return simd;
        }

        if (openCl.availability().available() && supports(openCl, problem)) {
            if (Decision.OPENCL_DEVICE.firstTime()) {
                log("opencl", "the native library is unavailable (" + simd.availability().detail() + ") and the OpenCL device "
                        + openCl.selectedDevice().describe() + " is present");
            }
            return openCl;
        }

        if (Decision.JAVA_FALLBACK.firstTime()) {
            log("java", "no native library (" + simd.availability().detail() + ") and no usable OpenCL device ("
                    + openCl.availability().detail() + ")");
        }
        return JavaBackend.instance();
    }

    private static boolean supports(Backend backend, Problem problem) {
        try {
            backend.checkSupported(problem);
            return true;
        } catch (UnsupportedFeatureException e) {
            if (LOGGED_SKIPS.add(backend.name() + '|' + e.getMessage())) {
                LOG.info("GradDrop backend {} skipped: {}", backend.name(), e.getMessage());
            }
            return false;
        }
    }

    private static void log(String backend, String reason) {
        LOG.info("GradDrop backend: {}, because {}", backend, reason);
    }

    /**
     * The kinds of choice, each logged the first time it is made. The reason text is only built
     * then, so choosing a backend allocates nothing on later calls.
     */
    private enum Decision {
        PINNED_JAVA, PINNED_NATIVE, PINNED_OPENCL, CUSTOM_KEEP_FUNCTION, GPU, NATIVE, OPENCL_DEVICE, JAVA_FALLBACK;

        private final AtomicBoolean logged = new AtomicBoolean();

        static Decision pinned(String backend) {
            return switch (backend) {
                case "native" -> PINNED_NATIVE;
                case "opencl" -> PINNED_OPENCL;
                default -> PINNED_JAVA;
            };
        }

        boolean firstTime() {
            return !logged.get() && logged.compareAndSet(false, true);
        }
    }

    /**
     * What the automatic choice would pick for a large and a small call on this machine, with the
     * reason; for {@code graddrop probe}.
     */
    public static String describeAutomaticChoice() {
        NativeBackend simd = NativeBackend.instance();
        OpenClBackend openCl = OpenClBackend.instance();
        if (openCl.availability().available() && openCl.hasGpu()) {
            String small = simd.availability().available() ? "native" : "opencl";
            return "opencl on " + openCl.selectedDevice().describe() + " for calls moving at least "
                    + Long.getLong(GPU_MIN_BYTES_PROPERTY, DEFAULT_GPU_MIN_BYTES)
                    + " bytes, " + small + " below that";
        }
        if (simd.availability().available()) {
            return "native: the SIMD library is loaded (" + simd.availability().detail() + ")";
        }
        if (openCl.availability().available()) {
            return "opencl on " + openCl.selectedDevice().describe() + ": the native library is unavailable ("
                    + simd.availability().detail() + ")";
        }
        return "java: neither the native library (" + simd.availability().detail() + ") nor OpenCL ("
                + openCl.availability().detail() + ") is available";
    }
}
