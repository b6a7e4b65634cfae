package org.graddrop;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks run before any backend touches memory, so a rejected call writes nothing. Each
 * message names the argument, the value received and what was expected.
 */
final class Validation {

    private Validation() {
    }

    /** Returns the name of element {@code index} of array {@code argument}, or {@code argument} when the index is negative. */
    static String name(String argument, int index) {
        return index < 0 ? argument : argument + "[" + index + "]";
    }

    /**
     * As {@link #requireFloats(String, MemorySegment, long)} for element {@code index} of an array
     * argument. The name is only built when the check fails, so a valid call allocates nothing here.
     */
    static void requireFloats(String argument, int index, MemorySegment segment, long floats) {
        if (segment == null || !segment.scope().isAlive() || !segment.isAccessibleBy(Thread.currentThread())
                || segment.byteSize() != floats * Float.BYTES || segment.maxByteAlignment() < Float.BYTES) {
            requireFloats(name(argument, index), segment, floats);
        }
    }

    /** As {@link #requireWritableFloats(String, MemorySegment, long)} for element {@code index} of an array argument. */
    static void requireWritableFloats(String argument, int index, MemorySegment segment, long floats) {
        requireFloats(argument, index, segment, floats);
        if (segment.isReadOnly()) {
            requireWritableFloats(name(argument, index), segment, floats);
        }
    }

    /** As {@link #requireDisjoint(String, MemorySegment, String, MemorySegment)} with array elements named by index. */
    static void requireDisjoint(String outputName, int outputIndex, MemorySegment output, String inputName, int inputIndex,
                                MemorySegment input) {
        if (input != null && output.asOverlappingSlice(input).isPresent()) {
            requireDisjoint(name(outputName, outputIndex), output, name(inputName, inputIndex), input);
        }
    }

    /** Checks that {@code segment} is alive, 4-byte aligned and contains exactly {@code floats} float32 values. */
    static void requireFloats(String argument, MemorySegment segment, long floats) {
        if (segment == null) {
            throw new IllegalArgumentException(argument + " must not be null");
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalArgumentException(argument + " is a segment whose arena is already closed; keep the arena open until the call returns");
        }
        if (!segment.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalArgumentException(argument + " is confined to another thread; call from the thread that owns its"
                    + " arena or allocate it from a shared arena");
        }
        long expected = floats * Float.BYTES;
        if (segment.byteSize() != expected) {
            throw new IllegalArgumentException(argument + " has " + segment.byteSize() + " bytes, expected " + expected
                    + " (" + floats + " float32 values)");
        }
        if (segment.maxByteAlignment() < Float.BYTES) {
            throw new IllegalArgumentException(argument + " is not 4-byte aligned (address or offset " + segment.address()
                    + "); allocate float32 data with ValueLayout.JAVA_FLOAT alignment");
        }
    }

    /** As {@link #requireFloats}, and also writable. */
    static void requireWritableFloats(String argument, MemorySegment segment, long floats) {
        requireFloats(argument, segment, floats);
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException(argument + " is read-only; pass a writable segment for the output");
        }
    }

    /** Rejects an output that shares any byte with {@code input}. */
    static void requireDisjoint(String outputName, MemorySegment output, String inputName, MemorySegment input) {
        if (input != null && output.asOverlappingSlice(input).isPresent()) {
            throw new IllegalArgumentException(outputName + " overlaps " + inputName
                    + "; GradDrop does not run in place, so give the output its own memory");
        }
    }

    /** Checks that every value of {@code segment} is in [0, 1), naming the first that is not. */
    static void requireUnitInterval(String argument, MemorySegment segment, long floats) {
        for (long i = 0; i < floats; i++) {
            float value = segment.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i);
            if (!(value >= 0.0f && value < 1.0f)) {
                throw new IllegalArgumentException(argument + " has the value " + value + " at index " + i
                        + ", expected values in [0, 1)");
            }
        }
    }

    static float[] leaksFor(float[] leaks, int tasks) {
        if (leaks.length == 1) {
            float[] all = new float[tasks];
            java.util.Arrays.fill(all, leaks[0]);
            return all;
        }
        if (leaks.length != tasks) {
            throw new IllegalArgumentException("leaks has " + leaks.length + " values but the gradients have " + tasks
                    + " tasks; give one leak for all tasks or one per task");
        }
        return leaks;
    }

    static void requireLeak(String argument, float leak) {
        if (!(leak >= 0.0f && leak <= 1.0f)) {
            throw new IllegalArgumentException(argument + " must be in [0, 1], got " + leak);
        }
    }

    static void requireEpsilon(float epsilon) {
        if (!(epsilon >= 0.0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and at least 0, got " + epsilon);
        }
    }
}
