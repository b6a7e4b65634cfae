package org.graddrop.noise;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Philox4x32-10, the counter-based generator of Salmon et al., "Parallel Random Numbers: As Easy
 * as 1, 2, 3" (SC 2011), as GradDrop uses it for U.
 *
 * <p>The key is (seed bits 0–31, seed bits 32–63). Position {@code i} uses the counter
 * (⌊i/4⌋ bits 0–31, ⌊i/4⌋ bits 32–63, step bits 0–31, step bits 32–63) and takes output word
 * {@code i mod 4}, so any position's value is computed without the others.
 */
public final class Philox4x32 {

    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final int ROUNDS = 10;

    /** 2^-24: the float32 spacing of the uniform values. */
    private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;

    private Philox4x32() {
    }

    /**
     * Computes one block of four 32-bit words into {@code out} from a 128-bit counter and a 64-bit
     * key, each given as 32-bit words with the low word first.
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < ROUNDS; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Maps a 32-bit word to [0, 1): its top 24 bits times 2^-24, exact in float32. */
    public static float toUniform(int word) {
        return (word >>> 8) * TWO_POW_MINUS_24;
    }

    /** The uniform value of one position. */
    public static float uniform(long seed, long step, long position) {
        int[] words = new int[4];
        long counter = position >>> 2;
        block((int) counter, (int) (counter >>> 32), (int) step, (int) (step >>> 32), (int) seed, (int) (seed >>> 32), words);
        return toUniform(words[(int) (position & 3)]);
    }

    /** Writes the uniform values of positions {@code first} to {@code first + count - 1} into {@code out}. */
    public static void fill(long seed, long step, long first, long count, MemorySegment out) {
        int[] words = new int[4];
        long position = first;
        long end = first + count;
        while (position < end) {
            long counter = position >>> 2;
            block((int) counter, (int) (counter >>> 32), (int) step, (int) (step >>> 32), (int) seed, (int) (seed >>> 32), words);
            for (int lane = (int) (position & 3); lane < 4 && position < end; lane++, position++) {
                out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, position - first, toUniform(words[lane]));
            }
        }
    }

    /** Returns the uniform values of positions 0 to {@code count - 1} as a heap array. */
    public static float[] uniforms(long seed, long step, int count) {
        float[] values = new float[count];
        fill(seed, step, 0, count, MemorySegment.ofArray(values));
        return values;
    }
}
