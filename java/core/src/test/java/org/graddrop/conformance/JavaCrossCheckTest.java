package org.graddrop.conformance;

import org.graddrop.GradDrop;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The backend under test writes the same bits as the Java reference backend, for outputs, task
 * outputs and statistics, over randomized configurations and inputs that include zeros of both
 * signs, subnormals, huge values, exact ties and non-finite values.
 */
@Tag("conformance")
class JavaCrossCheckTest {

    private static final int CASES = 80;

    @Test
    void bitIdenticalToJavaReference() {
        boolean custom = BackendUnderTest.supportsCustomKeepFunction();
        for (int seed = 0; seed < CASES; seed++) {
            RandomConfigurations.Case drawn = RandomConfigurations.draw(seed, custom, seed % 4 == 3);
            GradDrop underTest = drawn.settings().builder().threads(drawn.threads()).build();
            GradDrop reference = drawn.settings().apply(GradDrop.builder().backend("java")).build();

            Runs.Result expected = Runs.run(reference, drawn.data(), drawn.noise(), Runs.Layout.BLOCK, drawn.taskOutputs(), true);
            Runs.Result actual = Runs.run(underTest, drawn.data(), drawn.noise(), Runs.Layout.BLOCK, drawn.taskOutputs(), true);

            Checks.assertSameBits(expected, actual, drawn.label());
        }
    }

    @Test
    void threadCountDoesNotChangeBits() {
        for (int seed = 100; seed < 110; seed++) {
            RandomConfigurations.Case drawn = RandomConfigurations.draw(seed, false, false);
            Runs.Result single = Runs.run(drawn.settings().builder().threads(1).build(), drawn.data(), drawn.noise());
            for (int threads : new int[] {0, 2, 4}) {
                Runs.Result parallel = Runs.run(drawn.settings().builder().threads(threads).build(), drawn.data(), drawn.noise());
                Checks.assertSameBits(single, parallel, drawn.label() + " threads " + threads + " vs 1");
            }
        }
    }
}
