package org.graddrop;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The uniform noise U, one value per mask position: either drawn from Philox4x32-10 by seed and
 * step, so that every backend, thread count and machine agrees, or supplied by the caller.
 */
public sealed interface Noise {

    /** Philox4x32-10 noise keyed by {@code seed}, with {@code step} in the counter's high half. */
    record Seeded(long seed, long step) implements Noise {
    }

    /** Caller-supplied float32 values in [0, 1), one per mask position, in position order. */
    record Explicit(MemorySegment uniform) implements Noise {
        public Explicit {
            Objects.requireNonNull(uniform, "uniform noise segment must not be null");
        }
    }

    static Noise seeded(long seed, long step) {
        return new Seeded(seed, step);
    }

    static Noise explicit(MemorySegment uniform) {
        return new Explicit(uniform);
    }

    static Noise explicit(float[] uniform) {
        return new Explicit(MemorySegment.ofArray(uniform));
    }
}
