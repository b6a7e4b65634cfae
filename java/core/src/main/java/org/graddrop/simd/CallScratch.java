package org.graddrop.simd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap memory of one thread's calls, reused so that a steady stream of calls allocates
 * nothing: the parameter and result structs, the leaks, the pointer arrays, the statistics arrays
 * and, for heap inputs too large for a critical downcall, a staging area they are copied into.
 * Grown segments come from automatic arenas, so the garbage collector frees outgrown ones.
 */
final class CallScratch {

    private static final ThreadLocal<CallScratch> PER_THREAD = ThreadLocal.withInitial(CallScratch::new);

    final MemorySegment params = Arena.ofAuto().allocate(NativeAbi.PARAMS);
    final MemorySegment result = Arena.ofAuto().allocate(NativeAbi.RESULT);
    private int tasks;
    private int bins;
    MemorySegment leaks;
    MemorySegment gradientPointers;
    MemorySegment taskOutputPointers;
    MemorySegment keptCounts;
    MemorySegment histogram;
    private MemorySegment staging = MemorySegment.NULL;

    private CallScratch() {
        reserve(8, 16);
    }

    static CallScratch get() {
        return PER_THREAD.get();
    }

    /** Makes room for {@code tasks} tasks and {@code bins} histogram bins. */
    void reserve(int tasks, int bins) {
        if (tasks > this.tasks) {
            int capacity = Math.max(tasks, 2 * this.tasks);
            Arena arena = Arena.ofAuto();
            leaks = arena.allocate(JAVA_FLOAT, capacity);
            gradientPointers = arena.allocate(ADDRESS, capacity);
            taskOutputPointers = arena.allocate(ADDRESS, capacity);
            keptCounts = arena.allocate(JAVA_LONG, capacity);
            this.tasks = capacity;
        }
        if (bins > this.bins) {
            int capacity = Math.max(bins, 2 * this.bins);
            histogram = Arena.ofAuto().allocate(JAVA_LONG, capacity);
            this.bins = capacity;
        }
    }

    /** A staging area of at least {@code bytes}, 64-byte aligned, whose contents are undefined. */
    MemorySegment staging(long bytes) {
        if (staging.byteSize() < bytes) {
            long capacity = Math.max(bytes, 2 * staging.byteSize());
            staging = Arena.ofAuto().allocate(capacity, 64);
        }
        return staging;
    }
}
