package org.graddrop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The cases whose answers are fixed by the paper's rule and by the Python implementations. */
class PublishedCasesTest {

    private static float[] run(GradDrop graddrop, TaskGradients gradients, float[] activations, float[] uniform) {
        float[] output = new float[(int) gradients.elementsPerTask()];
        graddrop.apply(gradients, activations == null ? null : MemorySegment.ofArray(activations),
                Noise.explicit(uniform), MemorySegment.ofArray(output));
        return output;
    }

    @Test
    void torchjdPublishedValue() {
        GradDrop graddrop = GradDrop.builder().preset(Preset.TORCHJD).backend("java").build();
        TaskGradients matrix = TaskGradients.ofMatrix(new float[] {-4, 1, 1}, new float[] {6, 1, 1});
        float[] output = run(graddrop, matrix, null, new float[] {0.4963f, 0.7682f, 0.0885f});
        assertArrayEquals(new float[] {6, 2, 2}, output);
    }

    @Test
    void zeroSignedGradientDroppedByPaper() {
        TaskGradients gradients = TaskGradients.of(2, 1, new float[] {1, -1}, new float[] {1, 1});
        float[] activations = {1, 1};
        for (Preset preset : new Preset[] {Preset.PAPER, Preset.LIBMTL}) {
            GradDrop graddrop = GradDrop.builder().preset(preset).backend("java").build();
            assertArrayEquals(new float[] {1, 1}, run(graddrop, gradients, activations, new float[] {0.5f}), preset.name());
        }
    }

    @Test
    void zeroSignedGradientKeptByLingvo() {
        TaskGradients gradients = TaskGradients.of(2, 1, new float[] {1, -1}, new float[] {1, 1});
        GradDrop graddrop = GradDrop.builder().preset(Preset.LINGVO).backend("java").build();
        assertArrayEquals(new float[] {2, 0}, run(graddrop, gradients, new float[] {1, 1}, new float[] {0.5f}));
    }
}
