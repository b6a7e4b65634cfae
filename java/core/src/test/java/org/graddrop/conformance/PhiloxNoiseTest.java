package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.Preset;
import org.graddrop.noise.Philox4x32;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Philox4x32-10 against the known-answer vectors of Random123 (kat_vectors, philox4x32_10), the
 * mapping of words to U and the counter layout, and seeded calls against the same U passed
 * explicitly.
 */
@Tag("conformance")
class PhiloxNoiseTest {

    private static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] words = new int[4];
        Philox4x32.block(c0, c1, c2, c3, k0, k1, words);
        return words;
    }

    @Test
    void knownAnswerZero() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, block(0, 0, 0, 0, 0, 0));
    }

    @Test
    void knownAnswerAllOnes() {
        int ones = 0xffffffff;
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                block(ones, ones, ones, ones, ones, ones));
    }

    @Test
    void knownAnswerPiDigits() {
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void wordToUniformUsesTop24Bits() {
        assertEquals(0.0f, Philox4x32.toUniform(0x000000ff));
        assertEquals(0x1.0p-24f, Philox4x32.toUniform(0x000001ff));
        assertEquals(0.5f, Philox4x32.toUniform(0x80000000));
        assertEquals(1.0f - 0x1.0p-24f, Philox4x32.toUniform(0xffffffff), "the largest value stays below 1");
        assertEquals((0x6627e8d5 >>> 8) * 0x1.0p-24f, Philox4x32.toUniform(0x6627e8d5));
    }

    @Test
    void counterLayout() {
        long seed = 0x0123_4567_89ab_cdefL;
        long[] steps = {0L, 7L, 0x0000_0005_0000_0003L, -1L};
        long[] positions = {0, 1, 2, 3, 4, 5, 4095, 4096, 4099, (3L << 32) * 4 + 2, (1L << 34) + 7};
        for (long step : steps) {
            for (long position : positions) {
                long counter = position / 4;
                int[] words = block((int) counter, (int) (counter >>> 32), (int) step, (int) (step >>> 32),
                        (int) seed, (int) (seed >>> 32));
                float expected = (words[(int) (position % 4)] >>> 8) * 0x1.0p-24f;

                assertEquals(expected, Philox4x32.uniform(seed, step, position), "step " + step + " position " + position);
            }
        }
    }

    @Test
    void seededEqualsExplicitPerFeature() {
        long seed = 0x7fff_0000_1234_5678L;
        long step = 0x0000_0002_0000_0009L;
        Data data = Data.random(51, 3, 2, 4099, true, true);
        GradDrop graddrop = BackendUnderTest.builder().preset(Preset.PAPER).build();

        Runs.Result seeded = Runs.run(graddrop, data, Noise.seeded(seed, step));
        Runs.Result explicit = Runs.run(graddrop, data, uniformsByLayout(seed, step, 4099));

        Checks.assertSameBits(explicit, seeded, "per feature");
        assertNoiseMatters(graddrop, data, seed, step, seeded);
    }

    @Test
    void seededEqualsExplicitPerExample() {
        long seed = -3L;
        long step = 1L << 40;
        Data data = Data.random(52, 2, 3, 1500, true, true);
        GradDrop graddrop = BackendUnderTest.builder().preset(Preset.LIBMTL).marginalizeBatch(false).build();

        Runs.Result seeded = Runs.run(graddrop, data, Noise.seeded(seed, step));
        Runs.Result explicit = Runs.run(graddrop, data, uniformsByLayout(seed, step, 4500));

        Checks.assertSameBits(explicit, seeded, "per example");
        assertNoiseMatters(graddrop, data, seed, step, seeded);
    }

    @Test
    void seededNoiseHasNoSharedState() {
        Data data = Data.random(53, 2, 1, 300, false, false);
        GradDrop graddrop = BackendUnderTest.builder().preset(Preset.TORCHJD).build();

        Runs.Result first = Runs.run(graddrop, data, Noise.seeded(9, 4));
        Runs.run(graddrop, data, Noise.seeded(9, 5));
        Runs.Result again = Runs.run(graddrop, data, Noise.seeded(9, 4));

        Checks.assertSameBits(first, again, "same seed and step");
    }

    /** U of positions 0 to count − 1, computed here from the documented counter layout. */
    private static float[] uniformsByLayout(long seed, long step, int count) {
        float[] uniform = new float[count];
        for (int i = 0; i < count; i++) {
            int[] words = block(i / 4, 0, (int) step, (int) (step >>> 32), (int) seed, (int) (seed >>> 32));
            uniform[i] = (words[i % 4] >>> 8) * 0x1.0p-24f;
        }
        return uniform;
    }

    /** Guards against a vacuous comparison: another step must change the output. */
    private static void assertNoiseMatters(GradDrop graddrop, Data data, long seed, long step, Runs.Result seeded) {
        Runs.Result other = Runs.run(graddrop, data, Noise.seeded(seed, step + 1));
        boolean differs = false;
        for (int i = 0; i < seeded.output().length && !differs; i++) {
            differs = Float.floatToRawIntBits(seeded.output()[i]) != Float.floatToRawIntBits(other.output()[i]);
        }
        assertTrue(differs, "the output did not depend on the step");
    }
}
