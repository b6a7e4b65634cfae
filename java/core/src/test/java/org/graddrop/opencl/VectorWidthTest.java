package org.graddrop.opencl;

import java.util.SplittableRandom;
import org.graddrop.GradDrop;
import org.graddrop.NormMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kernel width returns the reference's bits, whatever width the device would pick: shapes
 * cover whole vectors, a partial last vector and fewer positions than one vector, with and without
 * the statistics and norm variants.
 */
@Tag("opencl")
class VectorWidthTest {

    private static final long[] FEATURES = {1, 3, 4, 13, 16, 37, 1029};

    @BeforeEach
    void requireDevice() {
        OpenClTests.requireDevice();
    }

    @AfterEach
    void restoreWidth() {
        DeviceContext.widthForTests = 0;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 8, 16})
    void widthMatchesReference(int width) {
        DeviceContext.widthForTests = width;
        SplittableRandom random = new SplittableRandom(31L * width);
        int shape = 0;
        for (long features : FEATURES) {
            BitIdentityTest.Case drawn = BitIdentityTest.Case.random(random, 1 + shape % 3 * 2, 1 + shape % 3, features);
            drawn.statistics = shape % 2 == 0;
            if (shape % 3 == 1) {
                drawn.builder.normMode(NormMode.KEEP);
            }
            drawn.assertSameBits();
            shape++;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 8, 16})
    void perExampleMasksAtWidth(int width) {
        DeviceContext.widthForTests = width;
        SplittableRandom random = new SplittableRandom(7L + width);
        BitIdentityTest.Case drawn = BitIdentityTest.Case.random(random, 3, 3, 21);
        drawn.builder = GradDrop.builder().marginalizeBatch(false).normMode(NormMode.LINGVO);
        drawn.statistics = true;
        drawn.taskOutputs = true;
        drawn.assertSameBits();
    }
}
