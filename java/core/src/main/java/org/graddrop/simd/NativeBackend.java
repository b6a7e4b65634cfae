package org.graddrop.simd;

import java.util.Set;
import org.graddrop.KeepFunction;
import org.graddrop.Statistics;
import org.graddrop.UnsupportedFeatureException;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Backend;
import org.graddrop.spi.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native SIMD library, called through FFM downcalls. The library is loaded on first use; when
 * it cannot load, the backend reports itself unavailable with the reason and the original cause.
 * Results are bit-identical to the Java reference on every tier and thread count.
 */
public final class NativeBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(NativeBackend.class);
    private static final NativeBackend INSTANCE = new NativeBackend();

    private volatile Loaded loaded;

    /** The bound library, or the reason it is unavailable. */
    private record Loaded(NativeAbi abi, NativeCall call, Availability availability) {
    }

    private NativeBackend() {
    }

    public static NativeBackend instance() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public Availability availability() {
        return loaded().availability();
    }

    /** Returns the active SIMD tier ("scalar", "sse2", "avx2", "avx512" or "neon"), or null when the library is unavailable. */
    public static String tierName() {
        Loaded state = INSTANCE.loaded();
        return state.abi() == null ? null : state.abi().tierName;
    }

    /** Returns the CPU feature flags of this machine as Linux reports them, for the probe. */
    public static Set<String> cpuFeatures() {
        return CpuFeatures.flags();
    }

    @Override
    public void checkSupported(Problem problem) {
        if (problem.keepFunction().kind() == KeepFunction.Kind.CUSTOM) {
            throw new UnsupportedFeatureException(name(), "custom keep function",
                    "custom functions run only on the Java backend; use identity, linear or sigmoid, or pin the java backend");
        }
    }

    @Override
    public Statistics apply(Problem problem) {
        checkSupported(problem);
        Loaded state = loaded();
        if (state.call() == null) {
            throw new IllegalStateException("the native backend is unavailable: " + state.availability().detail(),
                    state.availability().cause());
        }
        return state.call().apply(problem);
    }

    private Loaded loaded() {
        Loaded state = loaded;
        if (state == null) {
            synchronized (this) {
                state = loaded;
                if (state == null) {
                    state = load();
                    loaded = state;
                }
            }
        }
        return state;
    }

    private static Loaded load() {
        try {
            NativeAbi abi = NativeAbi.bind(NativeLibrary.load());
            String detail = "tier " + abi.tierName + ", " + abi.defaultThreads + (abi.defaultThreads == 1 ? " thread" : " threads");
            LOG.info("GradDrop native library loaded: {}", detail);
            return new Loaded(abi, new NativeCall(abi), Availability.available(detail));
        } catch (NativeLibrary.UnsupportedPlatformException e) {
            return new Loaded(null, null, Availability.unavailable(e.getMessage(), e));
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError error && !(e instanceof OutOfMemoryError)) {
                throw error;
            }
            String reason = "the native library failed to load: " + e;
            return new Loaded(null, null, Availability.unavailable(reason, e));
        }
    }
}
