package org.graddrop;

/** Shape arithmetic with overflow checks, shared by the argument checks. */
final class Shapes {

    private Shapes() {
    }

    /** B·D, rejecting non-positive sizes and overflow. */
    static long elements(String argument, long batch, long features) {
        if (batch < 1) {
            throw new IllegalArgumentException(argument + ": batch must be at least 1, got " + batch);
        }
        if (features < 1) {
            throw new IllegalArgumentException(argument + ": features must be at least 1, got " + features);
        }
        if (batch > Long.MAX_VALUE / features / Float.BYTES) {
            throw new IllegalArgumentException(argument + ": batch × features = " + batch + " × " + features
                    + " overflows a 64-bit byte size; split the tensor");
        }
        return batch * features;
    }

    /** Byte size of all tasks; {@code totalElements} is negative when K·B·D already overflowed. */
    static long bytes(String argument, long totalElements, int tasks, long batch, long features) {
        if (totalElements < 0 || totalElements > Long.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException(argument + ": tasks × batch × features = " + tasks + " × " + batch + " × "
                    + features + " overflows a 64-bit byte size; split the tensor");
        }
        return totalElements * Float.BYTES;
    }

    static String describe(int tasks, long batch, long features, boolean batched) {
        return batched ? "[" + tasks + ", " + batch + ", " + features + "]" : "[" + tasks + ", " + features + "]";
    }
}
