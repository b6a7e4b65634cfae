package org.graddrop.simd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.graddrop.ActivationMode;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NonFiniteInputException;
import org.graddrop.NonFinitePolicy;
import org.graddrop.PurityForm;
import org.graddrop.Statistics;
import org.graddrop.TieRule;
import org.graddrop.UnsupportedFeatureException;
import org.graddrop.spi.Problem;

/**
 * One downcall of {@code gd_apply}. Off-heap segments are passed by address, without a copy.
 * Heap segments ({@code MemorySegment.ofArray}) cannot be stored in the pointer arrays that
 * {@code gd_apply} reads, so:
 * <ul>
 * <li>a call moving at most {@value #CRITICAL_MAX_BYTES} bytes whose task gradients (and task
 *     outputs) lie at a constant stride, as slices of one array do, goes through a critical
 *     downcall of {@code gd_apply_strided}, which reads the heap arrays in place while the garbage
 *     collector waits;</li>
 * <li>any other call with a heap segment copies the heap inputs into off-heap staging memory and
 *     copies the outputs back after the call succeeds.</li>
 * </ul>
 */
final class NativeCall {

    /** The largest call, in bytes moved, that may hold off the garbage collector in a critical downcall. */
    static final long CRITICAL_MAX_BYTES = 1L << 20;

    /** Staging memory up to this size is kept for the thread's next call; larger staging is freed after the call. */
    private static final long KEPT_STAGING_BYTES = 64L << 20;

    private final NativeAbi abi;

    NativeCall(NativeAbi abi) {
        this.abi = abi;
    }

    Statistics apply(Problem problem) {
        requireConsistentSizes(problem);

        int tasks = problem.tasks();
        CallScratch scratch = CallScratch.get();
        scratch.reserve(tasks, problem.statistics() ? problem.histogramBins() : 1);
        fillParams(scratch.params, problem);
        fillResult(scratch, problem);
        for (int k = 0; k < tasks; k++) {
            scratch.leaks.setAtIndex(JAVA_FLOAT, k, problem.leaks()[k]);
        }

        int status;
        if (allOffHeap(problem)) {
            status = applyOffHeap(problem, scratch, problem.gradients(), problem.activations(), uniformOf(problem),
                    problem.output(), problem.taskOutputs());
        } else if (problem.trafficBytes() <= CRITICAL_MAX_BYTES && atConstantStride(problem.gradients())
                && (problem.taskOutputs() == null || atConstantStride(problem.taskOutputs()))) {
            status = applyCritical(problem, scratch);
        } else {
            status = applyStaged(problem, scratch);
        }
        return finish(status, problem, scratch);
    }

    /** Re-checks the sizes the native code relies on; GradDrop validated them, so this only guards the downcall. */
    private static void requireConsistentSizes(Problem problem) {
        long bytes = problem.elements() * Float.BYTES;
        MemorySegment[] gradients = problem.gradients();
        if (gradients.length != problem.tasks() || problem.leaks().length != problem.tasks()) {
            throw new IllegalArgumentException("problem has " + gradients.length + " gradients and " + problem.leaks().length
                    + " leaks for " + problem.tasks() + " tasks");
        }
        for (int k = 0; k < gradients.length; k++) {
            requireBytes("gradients", k, gradients[k], bytes);
        }
        if (problem.activations() != null) {
            requireBytes("activations", problem.activations(), bytes);
        }
        MemorySegment uniform = uniformOf(problem);
        if (uniform != null) {
            requireBytes("uniform noise", uniform, problem.positions() * Float.BYTES);
        }
        requireBytes("output", problem.output(), bytes);
        if (problem.taskOutputs() != null) {
            if (problem.taskOutputs().length != problem.tasks()) {
                throw new IllegalArgumentException("problem has " + problem.taskOutputs().length + " task outputs for "
                        + problem.tasks() + " tasks");
            }
            for (int k = 0; k < problem.tasks(); k++) {
                requireBytes("taskOutputs", k, problem.taskOutputs()[k], bytes);
            }
        }
    }

    /** As {@link #requireBytes(String, MemorySegment, long)} for element {@code index}, naming it only on failure. */
    private static void requireBytes(String name, int index, MemorySegment segment, long bytes) {
        if (segment.byteSize() != bytes) {
            requireBytes(name + "[" + index + "]", segment, bytes);
        }
    }

    private static void requireBytes(String name, MemorySegment segment, long bytes) {
        if (segment.byteSize() != bytes) {
            throw new IllegalArgumentException(name + " has " + segment.byteSize() + " bytes, expected " + bytes);
        }
    }

    private static MemorySegment uniformOf(Problem problem) {
        return problem.noise() instanceof Noise.Explicit explicit ? explicit.uniform() : null;
    }

    private static void fillParams(MemorySegment params, Problem problem) {
        params.set(JAVA_LONG, NativeAbi.P_BATCH, problem.batch());
        params.set(JAVA_LONG, NativeAbi.P_FEATURES, problem.features());
        if (problem.noise() instanceof Noise.Seeded seeded) {
            params.set(JAVA_LONG, NativeAbi.P_SEED, seeded.seed());
            params.set(JAVA_LONG, NativeAbi.P_STEP, seeded.step());
            params.set(JAVA_INT, NativeAbi.P_NOISE_MODE, NativeAbi.NOISE_PHILOX);
        } else {
            params.set(JAVA_LONG, NativeAbi.P_SEED, 0L);
            params.set(JAVA_LONG, NativeAbi.P_STEP, 0L);
            params.set(JAVA_INT, NativeAbi.P_NOISE_MODE, NativeAbi.NOISE_EXPLICIT);
        }
        params.set(JAVA_INT, NativeAbi.P_TASKS, problem.tasks());
        params.set(JAVA_INT, NativeAbi.P_ACTIVATION_MODE, activationMode(problem));
        params.set(JAVA_INT, NativeAbi.P_PURITY_FORM, problem.purityForm() == PurityForm.LINGVO ? 1 : 0);
        KeepFunction keep = problem.keepFunction();
        params.set(JAVA_INT, NativeAbi.P_KEEP_FUNCTION, switch (keep.kind()) {
            case IDENTITY -> NativeAbi.KEEP_IDENTITY;
            case LINEAR -> NativeAbi.KEEP_LINEAR;
            case SIGMOID -> NativeAbi.KEEP_SIGMOID;
            case CUSTOM -> throw new UnsupportedFeatureException("native", "custom keep function",
                    "custom functions run only on the Java backend; use identity, linear or sigmoid, or pin the java backend");
        });
        params.set(JAVA_FLOAT, NativeAbi.P_KEEP_SCALE, keep.kind() == KeepFunction.Kind.IDENTITY ? 1.0f : keep.scale());
        params.set(JAVA_FLOAT, NativeAbi.P_EPSILON, problem.epsilon());
        params.set(JAVA_INT, NativeAbi.P_MARGINALIZE, problem.marginalize() ? 1 : 0);
        params.set(JAVA_INT, NativeAbi.P_TIE_RULE, problem.tieRule() == TieRule.LINGVO ? 1 : 0);
        params.set(JAVA_INT, NativeAbi.P_NORM_MODE, switch (problem.normMode()) {
            case NONE -> NativeAbi.NORM_NONE;
            case KEEP -> NativeAbi.NORM_KEEP;
            case LINGVO -> NativeAbi.NORM_LINGVO;
        });
        params.set(JAVA_INT, NativeAbi.P_NONFINITE_POLICY, problem.nonFinite() == NonFinitePolicy.REJECT ? 1 : 0);
        params.set(JAVA_INT, NativeAbi.P_THREADS, problem.threads());
        params.set(JAVA_INT, NativeAbi.P_HISTOGRAM_BINS, problem.histogramBins());
        params.set(JAVA_INT, NativeAbi.P_RESERVED, 0);
    }

    private static int activationMode(Problem problem) {
        if (problem.activations() == null) {
            return NativeAbi.ACT_NONE;
        }
        ActivationMode mode = problem.activationMode();
        return switch (mode) {
            case SIGN -> NativeAbi.ACT_SIGN;
            case VALUES -> NativeAbi.ACT_VALUES;
            case LINGVO_SIGN -> NativeAbi.ACT_LINGVO_SIGN;
        };
    }

    private static void fillResult(CallScratch scratch, Problem problem) {
        MemorySegment result = scratch.result;
        result.set(ADDRESS, NativeAbi.R_KEPT_COUNTS, scratch.keptCounts);
        result.set(ADDRESS, NativeAbi.R_HISTOGRAM, scratch.histogram);
        result.set(JAVA_LONG, NativeAbi.R_CONFLICT_COUNT, 0L);
        result.set(JAVA_DOUBLE, NativeAbi.R_PURITY_SUM, 0.0);
        result.set(JAVA_LONG, NativeAbi.R_NONFINITE_INDEX, -1L);
        result.set(JAVA_INT, NativeAbi.R_NONFINITE_SOURCE, 0);
        result.set(JAVA_INT, NativeAbi.R_WANT_STATISTICS, problem.statistics() ? 1 : 0);
    }

    private static boolean allOffHeap(Problem problem) {
        for (MemorySegment gradient : problem.gradients()) {
            if (!gradient.isNative()) {
                return false;
            }
        }
        if (problem.taskOutputs() != null) {
            for (MemorySegment taskOutput : problem.taskOutputs()) {
                if (!taskOutput.isNative()) {
                    return false;
                }
            }
        }
        MemorySegment uniform = uniformOf(problem);
        return (problem.activations() == null || problem.activations().isNative())
                && (uniform == null || uniform.isNative()) && problem.output().isNative();
    }

    /** Returns whether the segments lie in one array (or all off heap) at a constant distance of whole floats. */
    private static boolean atConstantStride(MemorySegment[] segments) {
        if (segments.length == 1) {
            return true;
        }
        Object base = segments[0].heapBase().orElse(null);
        long stride = segments[1].address() - segments[0].address();
        if (stride % Float.BYTES != 0) {
            return false;
        }
        for (int k = 1; k < segments.length; k++) {
            if (segments[k].heapBase().orElse(null) != base
                    || segments[k].address() - segments[k - 1].address() != stride) {
                return false;
            }
        }
        return true;
    }

    private static long strideFloats(MemorySegment[] segments) {
        return segments.length == 1 ? 0 : (segments[1].address() - segments[0].address()) / Float.BYTES;
    }

    private static MemorySegment orNull(MemorySegment segment) {
        return segment == null ? MemorySegment.NULL : segment;
    }

    private int applyOffHeap(Problem problem, CallScratch scratch, MemorySegment[] gradients, MemorySegment activations,
                             MemorySegment uniform, MemorySegment output, MemorySegment[] taskOutputs) {
        for (int k = 0; k < gradients.length; k++) {
            scratch.gradientPointers.setAtIndex(ADDRESS, k, gradients[k]);
        }
        MemorySegment taskPointers = MemorySegment.NULL;
        if (taskOutputs != null) {
            for (int k = 0; k < taskOutputs.length; k++) {
                scratch.taskOutputPointers.setAtIndex(ADDRESS, k, taskOutputs[k]);
            }
            taskPointers = scratch.taskOutputPointers;
        }
        try {
            return (int) abi.apply.invokeExact(scratch.params, scratch.gradientPointers, orNull(activations),
                    orNull(uniform), scratch.leaks, output, taskPointers, scratch.result);
        } catch (Throwable e) {
            throw new IllegalStateException("the native gd_apply call failed", e);
        }
    }

    private int applyCritical(Problem problem, CallScratch scratch) {
        MemorySegment[] taskOutputs = problem.taskOutputs();
        MemorySegment firstTaskOutput = taskOutputs == null ? MemorySegment.NULL : taskOutputs[0];
        try {
            return (int) abi.applyStridedCritical.invokeExact(scratch.params, problem.gradients()[0],
                    strideFloats(problem.gradients()), orNull(problem.activations()), orNull(uniformOf(problem)),
                    scratch.leaks, problem.output(), firstTaskOutput,
                    taskOutputs == null ? 0L : strideFloats(taskOutputs), scratch.result);
        } catch (Throwable e) {
            throw new IllegalStateException("the native gd_apply_strided call failed", e);
        }
    }

    /** Copies every heap input into off-heap staging memory, calls, and copies the outputs back on success. */
    private int applyStaged(Problem problem, CallScratch scratch) {
        int tasks = problem.tasks();
        long bytes = problem.elements() * Float.BYTES;
        MemorySegment uniform = uniformOf(problem);
        long needed = 0;
        for (MemorySegment gradient : problem.gradients()) {
            needed += gradient.isNative() ? 0 : bytes;
        }
        needed += problem.activations() != null && !problem.activations().isNative() ? bytes : 0;
        needed += uniform != null && !uniform.isNative() ? uniform.byteSize() : 0;
        needed += problem.output().isNative() ? 0 : bytes;
        if (problem.taskOutputs() != null) {
            for (MemorySegment taskOutput : problem.taskOutputs()) {
                needed += taskOutput.isNative() ? 0 : bytes;
            }
        }

        Arena callArena = needed > KEPT_STAGING_BYTES ? Arena.ofConfined() : null;
        try {
            MemorySegment staging = callArena != null ? callArena.allocate(needed, 64) : scratch.staging(needed);
            long[] offset = {0};
            MemorySegment[] gradients = new MemorySegment[tasks];
            for (int k = 0; k < tasks; k++) {
                gradients[k] = stagedInput(problem.gradients()[k], staging, offset);
            }
            MemorySegment activations = problem.activations() == null ? null : stagedInput(problem.activations(), staging, offset);
            MemorySegment stagedUniform = uniform == null ? null : stagedInput(uniform, staging, offset);
            MemorySegment output = stagedOutput(problem.output(), staging, offset);
            MemorySegment[] taskOutputs = null;
            if (problem.taskOutputs() != null) {
                taskOutputs = new MemorySegment[tasks];
                for (int k = 0; k < tasks; k++) {
                    taskOutputs[k] = stagedOutput(problem.taskOutputs()[k], staging, offset);
                }
            }

            int status = applyOffHeap(problem, scratch, gradients, activations, stagedUniform, output, taskOutputs);
            if (status == NativeAbi.OK) {
                if (output != problem.output()) {
                    problem.output().copyFrom(output);
                }
                if (taskOutputs != null) {
                    for (int k = 0; k < tasks; k++) {
                        if (taskOutputs[k] != problem.taskOutputs()[k]) {
                            problem.taskOutputs()[k].copyFrom(taskOutputs[k]);
                        }
                    }
                }
            }
            return status;
        } finally {
            if (callArena != null) {
                callArena.close();
            }
        }
    }

    private static MemorySegment stagedInput(MemorySegment segment, MemorySegment staging, long[] offset) {
        if (segment.isNative()) {
            return segment;
        }
        MemorySegment copy = staging.asSlice(offset[0], segment.byteSize());
        offset[0] += segment.byteSize();
        copy.copyFrom(segment);
        return copy;
    }

    private static MemorySegment stagedOutput(MemorySegment segment, MemorySegment staging, long[] offset) {
        if (segment.isNative()) {
            return segment;
        }
        MemorySegment slot = staging.asSlice(offset[0], segment.byteSize());
        offset[0] += segment.byteSize();
        return slot;
    }

    private static Statistics finish(int status, Problem problem, CallScratch scratch) {
        switch (status) {
            case NativeAbi.OK -> {
                return problem.statistics() ? statistics(problem, scratch) : null;
            }
            case NativeAbi.ERR_NON_FINITE -> throw nonFinite(problem, scratch.result);
            case NativeAbi.ERR_UNSUPPORTED -> throw new UnsupportedFeatureException("native", "this call",
                    "the native library rejected an option it does not implement; pin the java backend");
            case NativeAbi.ERR_OUT_OF_MEMORY -> throw new OutOfMemoryError(
                    "the native library could not allocate its scratch memory for a call of " + problem.trafficBytes() + " bytes");
            default -> throw new IllegalArgumentException("the native library rejected the arguments (status " + status
                    + ") of a problem of " + problem.tasks() + " tasks, batch " + problem.batch() + ", features "
                    + problem.features() + "; this is a bug in the native backend's checks");
        }
    }

    private static Statistics statistics(Problem problem, CallScratch scratch) {
        long[] kept = new long[problem.tasks()];
        for (int k = 0; k < kept.length; k++) {
            kept[k] = scratch.keptCounts.getAtIndex(JAVA_LONG, k);
        }
        long[] histogram = new long[problem.histogramBins()];
        for (int bin = 0; bin < histogram.length; bin++) {
            histogram[bin] = scratch.histogram.getAtIndex(JAVA_LONG, bin);
        }
        MemorySegment result = scratch.result;
        return new Statistics(problem.positions(), kept, result.get(JAVA_LONG, NativeAbi.R_CONFLICT_COUNT),
                result.get(JAVA_DOUBLE, NativeAbi.R_PURITY_SUM), histogram);
    }

    private static NonFiniteInputException nonFinite(Problem problem, MemorySegment result) {
        long index = result.get(JAVA_LONG, NativeAbi.R_NONFINITE_INDEX);
        if (result.get(JAVA_INT, NativeAbi.R_NONFINITE_SOURCE) == 1) {
            return new NonFiniteInputException("activations", index, problem.activations().getAtIndex(JAVA_FLOAT, index));
        }
        int task = (int) (index / problem.elements());
        long element = index % problem.elements();
        return new NonFiniteInputException("gradients[" + task + "]", element,
                problem.gradients()[task].getAtIndex(JAVA_FLOAT, element));
    }
}
