package org.graddrop.simd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The C interface of {@code native/include/graddrop.h}: struct layouts, constants and the downcall
 * handles, created once when the library loads.
 */
final class NativeAbi {

    static final int ABI_VERSION = 1;

    static final int OK = 0;
    static final int ERR_INVALID_ARGUMENT = 1;
    static final int ERR_UNSUPPORTED = 2;
    static final int ERR_NON_FINITE = 3;
    static final int ERR_OUT_OF_MEMORY = 4;

    static final int ACT_NONE = 0;
    static final int ACT_SIGN = 1;
    static final int ACT_VALUES = 2;
    static final int ACT_LINGVO_SIGN = 3;
    static final int KEEP_IDENTITY = 0;
    static final int KEEP_LINEAR = 1;
    static final int KEEP_SIGMOID = 2;
    static final int NORM_NONE = 0;
    static final int NORM_KEEP = 1;
    static final int NORM_LINGVO = 2;
    static final int NOISE_EXPLICIT = 0;
    static final int NOISE_PHILOX = 1;

    /** struct gd_params, 8-byte fields first so that there is no padding. */
    static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_LONG.withName("batch"),
            JAVA_LONG.withName("features"),
            JAVA_LONG.withName("seed"),
            JAVA_LONG.withName("step"),
            JAVA_INT.withName("tasks"),
            JAVA_INT.withName("activation_mode"),
            JAVA_INT.withName("purity_form"),
            JAVA_INT.withName("keep_function"),
            JAVA_FLOAT.withName("keep_scale"),
            JAVA_FLOAT.withName("epsilon"),
            JAVA_INT.withName("marginalize"),
            JAVA_INT.withName("tie_rule"),
            JAVA_INT.withName("norm_mode"),
            JAVA_INT.withName("noise_mode"),
            JAVA_INT.withName("nonfinite_policy"),
            JAVA_INT.withName("threads"),
            JAVA_INT.withName("histogram_bins"),
            JAVA_INT.withName("reserved"));

    /** struct gd_result. */
    static final StructLayout RESULT = MemoryLayout.structLayout(
            ADDRESS.withName("kept_counts"),
            ADDRESS.withName("histogram"),
            JAVA_LONG.withName("conflict_count"),
            JAVA_DOUBLE.withName("purity_sum"),
            JAVA_LONG.withName("nonfinite_index"),
            JAVA_INT.withName("nonfinite_source"),
            JAVA_INT.withName("want_statistics"));

    static final long P_BATCH = offset(PARAMS, "batch");
    static final long P_FEATURES = offset(PARAMS, "features");
    static final long P_SEED = offset(PARAMS, "seed");
    static final long P_STEP = offset(PARAMS, "step");
    static final long P_TASKS = offset(PARAMS, "tasks");
    static final long P_ACTIVATION_MODE = offset(PARAMS, "activation_mode");
    static final long P_PURITY_FORM = offset(PARAMS, "purity_form");
    static final long P_KEEP_FUNCTION = offset(PARAMS, "keep_function");
    static final long P_KEEP_SCALE = offset(PARAMS, "keep_scale");
    static final long P_EPSILON = offset(PARAMS, "epsilon");
    static final long P_MARGINALIZE = offset(PARAMS, "marginalize");
    static final long P_TIE_RULE = offset(PARAMS, "tie_rule");
    static final long P_NORM_MODE = offset(PARAMS, "norm_mode");
    static final long P_NOISE_MODE = offset(PARAMS, "noise_mode");
    static final long P_NONFINITE_POLICY = offset(PARAMS, "nonfinite_policy");
    static final long P_THREADS = offset(PARAMS, "threads");
    static final long P_HISTOGRAM_BINS = offset(PARAMS, "histogram_bins");
    static final long P_RESERVED = offset(PARAMS, "reserved");

    static final long R_KEPT_COUNTS = offset(RESULT, "kept_counts");
    static final long R_HISTOGRAM = offset(RESULT, "histogram");
    static final long R_CONFLICT_COUNT = offset(RESULT, "conflict_count");
    static final long R_PURITY_SUM = offset(RESULT, "purity_sum");
    static final long R_NONFINITE_INDEX = offset(RESULT, "nonfinite_index");
    static final long R_NONFINITE_SOURCE = offset(RESULT, "nonfinite_source");
    static final long R_WANT_STATISTICS = offset(RESULT, "want_statistics");

    /** int32_t gd_apply(params, gradients[], activations, uniform, leaks, output, task_outputs[], result). */
    final MethodHandle apply;
    /** gd_apply_strided, for off-heap memory. */
    final MethodHandle applyStrided;
    /** gd_apply_strided as a critical downcall, which may receive heap segments. */
    final MethodHandle applyStridedCritical;
    final MethodHandle philoxUniform;
    final int tier;
    final String tierName;
    final int defaultThreads;

    private NativeAbi(SymbolLookup symbols) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle abiVersion = linker.downcallHandle(find(symbols, "gd_abi_version"), FunctionDescriptor.of(JAVA_INT));
        int version = (int) abiVersion.invokeExact();
        if (version != ABI_VERSION) {
            throw new IllegalStateException("the native library has ABI version " + version + ", expected " + ABI_VERSION
                    + "; rebuild the jar so that the library and the Java classes match");
        }

        MethodHandle paramsSize = linker.downcallHandle(find(symbols, "gd_params_size"), FunctionDescriptor.of(JAVA_LONG));
        MethodHandle resultSize = linker.downcallHandle(find(symbols, "gd_result_size"), FunctionDescriptor.of(JAVA_LONG));
        long nativeParams = (long) paramsSize.invokeExact();
        long nativeResult = (long) resultSize.invokeExact();
        if (nativeParams != PARAMS.byteSize() || nativeResult != RESULT.byteSize()) {
            throw new IllegalStateException("struct sizes differ: gd_params " + nativeParams + " bytes in C, "
                    + PARAMS.byteSize() + " in Java; gd_result " + nativeResult + " in C, " + RESULT.byteSize()
                    + " in Java; rebuild the jar so that the library and the Java classes match");
        }

        apply = linker.downcallHandle(find(symbols, "gd_apply"), FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        FunctionDescriptor strided = FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        MemorySegment stridedSymbol = find(symbols, "gd_apply_strided");
        applyStrided = linker.downcallHandle(stridedSymbol, strided);
        applyStridedCritical = linker.downcallHandle(stridedSymbol, strided, Linker.Option.critical(true));
        philoxUniform = linker.downcallHandle(find(symbols, "gd_philox_uniform"),
                FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));

        MethodHandle tierHandle = linker.downcallHandle(find(symbols, "gd_tier"), FunctionDescriptor.of(JAVA_INT));
        MethodHandle tierNameHandle = linker.downcallHandle(find(symbols, "gd_tier_name"),
                FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(64, java.lang.foreign.ValueLayout.JAVA_BYTE)), JAVA_INT));
        MethodHandle threadsHandle = linker.downcallHandle(find(symbols, "gd_default_threads"), FunctionDescriptor.of(JAVA_INT));
        tier = (int) tierHandle.invokeExact();
        MemorySegment name = (MemorySegment) tierNameHandle.invokeExact(tier);
        tierName = name.getString(0);
        defaultThreads = (int) threadsHandle.invokeExact();
    }

    /** Binds every function of the library; throws with the reason when one is missing or mismatched. */
    static NativeAbi bind(SymbolLookup symbols) throws Throwable {
        return new NativeAbi(symbols);
    }

    private static MemorySegment find(SymbolLookup symbols, String name) {
        return symbols.find(name).orElseThrow(() -> new IllegalStateException("the native library lacks the function "
                + name + "; rebuild the jar so that the library and the Java classes match"));
    }

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
