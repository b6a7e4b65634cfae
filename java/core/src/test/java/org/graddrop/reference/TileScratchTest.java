package org.graddrop.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.TaskGradients;
import org.junit.jupiter.api.Test;

/** Reused per-thread scratch must not leak state between calls, nor between a call and one nested in it. */
class TileScratchTest {

    private static final int BATCH = 3;
    private static final int FEATURES = 300;

    private static float[][] gradients(int tasks, long seed) {
        Random random = new Random(seed);
        float[][] gradients = new float[tasks][BATCH * FEATURES];
        for (float[] task : gradients) {
            for (int i = 0; i < task.length; i++) {
                task[i] = (float) random.nextGaussian();
            }
        }
        return gradients;
    }

    private static float[] apply(GradDrop graddrop, float[][] gradients) {
        float[] output = new float[BATCH * FEATURES];
        graddrop.apply(TaskGradients.of(BATCH, FEATURES, gradients), null, Noise.seeded(5, 6), MemorySegment.ofArray(output));
        return output;
    }

    @Test
    void nestedCallFromKeepFunction() {
        GradDrop inner = GradDrop.builder().backend("java").build();
        float[][] innerGradients = gradients(8, 1);
        float[] innerExpected = apply(inner, innerGradients);

        KeepFunction plain = KeepFunction.custom(purity -> purity * purity);
        KeepFunction nesting = KeepFunction.custom(purity -> {
            assertArrayEquals(innerExpected, apply(inner, innerGradients));
            return purity * purity;
        });
        float[][] outerGradients = gradients(3, 2);

        float[] expected = apply(GradDrop.builder().backend("java").keepFunction(plain).build(), outerGradients);
        float[] nested = apply(GradDrop.builder().backend("java").keepFunction(nesting).build(), outerGradients);

        assertArrayEquals(expected, nested);
    }

    @Test
    void taskCountChangesBetweenCalls() {
        GradDrop graddrop = GradDrop.builder().backend("java").build();
        float[][] many = gradients(8, 3);
        float[][] few = gradients(2, 4);

        float[] manyFirst = apply(graddrop, many);
        float[] fewAfterMany = apply(graddrop, few);
        float[] manyAgain = apply(graddrop, many);

        assertArrayEquals(manyFirst, manyAgain);
        assertArrayEquals(fewAfterMany, apply(graddrop, few));
    }
}
