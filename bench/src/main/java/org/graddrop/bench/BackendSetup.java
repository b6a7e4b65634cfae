package org.graddrop.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import org.graddrop.GradDrop;
import org.graddrop.Preset;
import org.graddrop.backend.Backends;
import org.graddrop.spi.Availability;

/**
 * Prepares one benchmark fork for a backend: it applies the native tier or the OpenCL device
 * before the backend first loads, then checks that the backend can run.
 *
 * <p>JMH starts a fresh JVM for every parameter combination, so a setting applied here holds for
 * exactly one combination.
 */
final class BackendSetup {

    /** The environment variable that caps the native library's SIMD tier, read when it loads. */
    static final String MAX_TIER_ENVIRONMENT = "GRADDROP_MAX_TIER";

    /** The tier parameter that leaves the native library on its best tier. */
    static final String BEST_TIER = "best";

    /** The device parameter that leaves the OpenCL backend on its own choice of device. */
    static final String DEFAULT_DEVICE = "default";

    /** The OpenCL backend's device selector: an index of its device list or part of a device name. */
    static final String DEVICE_PROPERTY = org.graddrop.opencl.OpenClBackend.DEVICE_PROPERTY;

    private BackendSetup() {
    }

    /**
     * Applies {@code tier} (native only) and {@code device} (OpenCL only) to this process, then
     * returns the GradDrop configuration pinned to {@code backend}. Throws when the backend is
     * unavailable, so that the trial fails instead of measuring a fallback.
     */
    static GradDrop prepare(String backend, String tier, String device) {
        if (!tier.equals(BEST_TIER)) {
            if (!backend.equals("native")) {
                throw new IllegalArgumentException("tier " + tier + " applies only to the native backend, got backend "
                        + backend + "; pass -p tier=" + BEST_TIER);
            }
            setEnvironment(MAX_TIER_ENVIRONMENT, tier);
        }
        if (!device.equals(DEFAULT_DEVICE)) {
            if (!backend.equals("opencl")) {
                throw new IllegalArgumentException("device " + device + " applies only to the opencl backend, got backend "
                        + backend + "; pass -p device=" + DEFAULT_DEVICE);
            }
            System.setProperty(DEVICE_PROPERTY, device);
        }

        Availability availability = Backends.byName(backend).availability();
        if (!availability.available()) {
            throw new IllegalStateException("backend " + backend + " is unavailable: " + availability.detail()
                    + "; run only the backends that bench/run.sh lists as available");
        }
        if (!tier.equals(BEST_TIER) && !availability.detail().toLowerCase(Locale.ROOT).contains(tier.toLowerCase(Locale.ROOT))) {
            throw new IllegalStateException("native tier " + tier + " was requested through " + MAX_TIER_ENVIRONMENT
                    + " but the backend reports '" + availability.detail() + "'; pass a tier this CPU supports");
        }
        return configuration(backend);
    }

    /** The configuration every benchmark measures: LibMTL's rule (ε = 1e-7) with leak 0, pinned to {@code backend}. */
    static GradDrop configuration(String backend) {
        return GradDrop.builder().preset(Preset.LIBMTL).leak(0.0f).backend(backend).build();
    }

    /**
     * Sets a variable in the C environment of this process. The native library reads its tier cap
     * with getenv when it loads, and Java's own environment map cannot be changed.
     */
    private static void setEnvironment(String name, String value) {
        Linker linker = Linker.nativeLinker();
        MemorySegment setenv = linker.defaultLookup().find("setenv")
                .orElseThrow(() -> new IllegalStateException("setenv not found in the C library; set "
                        + name + "=" + value + " in the environment of the benchmark run instead"));
        MethodHandle handle = linker.downcallHandle(setenv, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) handle.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
            if (status != 0) {
                throw new IllegalStateException("setenv(" + name + ", " + value + ") failed with status " + status);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("setenv(" + name + ", " + value + ") failed", e);
        }
    }
}
