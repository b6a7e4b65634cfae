package org.graddrop.cli;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** L2 norms of float32 segments, accumulated in double. */
final class Norms {

    private Norms() {
    }

    static double of(MemorySegment values) {
        double sum = 0;
        long count = values.byteSize() / Float.BYTES;
        for (long i = 0; i < count; i++) {
            double x = values.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    /** Computes the norm of the element-wise float32 sum of {@code tasks}, all of the same size. */
    static double ofSum(MemorySegment... tasks) {
        double sum = 0;
        long count = tasks[0].byteSize() / Float.BYTES;
        for (long i = 0; i < count; i++) {
            float total = tasks[0].getAtIndex(ValueLayout.JAVA_FLOAT, i);
            for (int k = 1; k < tasks.length; k++) {
                total += tasks[k].getAtIndex(ValueLayout.JAVA_FLOAT, i);
            }
            sum += (double) total * total;
        }
        return Math.sqrt(sum);
    }
}
