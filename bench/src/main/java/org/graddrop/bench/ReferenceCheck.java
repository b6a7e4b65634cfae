package org.graddrop.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.graddrop.GradDrop;

/**
 * Fails a trial whose backend does not reproduce the Java reference bit for bit, so that a fast
 * but wrong kernel cannot post a number.
 */
final class ReferenceCheck {

    private ReferenceCheck() {
    }

    /**
     * Runs {@code measured} once on the workload and compares its output with the Java
     * reference's. The reference itself is not re-checked when {@code measured} is the Java backend.
     */
    static void requireReferenceOutput(GradDrop measured, Workload workload) {
        measured.apply(workload.request(workload.output));
        if (!measured.backend().equals("java")) {
            requireReferenceOutput(measured.backend(), workload, workload.output);
        }
    }

    /** Computes the Java reference's output for the workload and compares {@code actual} with it. */
    static void requireReferenceOutput(String backend, Workload workload, MemorySegment actual) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment expected = scratch.allocate(workload.output.byteSize(), Workload.ALIGNMENT);
            BackendSetup.configuration("java").apply(workload.request(expected));
            requireEqual(backend, actual, expected);
        }
    }

    /** Throws, naming the first differing index and both values, unless the segments hold the same bytes. */
    static void requireEqual(String backend, MemorySegment actual, MemorySegment expected) {
        long mismatch = actual.mismatch(expected);
        if (mismatch >= 0) {
            long index = mismatch / Float.BYTES;
            float got = actual.getAtIndex(ValueLayout.JAVA_FLOAT, index);
            float want = expected.getAtIndex(ValueLayout.JAVA_FLOAT, index);
            throw new IllegalStateException("backend " + backend + " differs from the Java reference at element " + index
                    + ": got " + got + " (0x" + Integer.toHexString(Float.floatToRawIntBits(got)) + "), expected " + want
                    + " (0x" + Integer.toHexString(Float.floatToRawIntBits(want)) + "); this trial is not measured");
        }
    }
}
