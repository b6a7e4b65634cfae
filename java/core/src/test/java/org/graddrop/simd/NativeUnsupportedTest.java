package org.graddrop.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.TaskGradients;
import org.graddrop.UnsupportedFeatureException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("simd")
class NativeUnsupportedTest {

    @Test
    void customKeepFunctionRejectedWhenPinned() {
        GradDrop graddrop = GradDrop.builder().keepFunction(KeepFunction.custom(p -> p * p)).backend("native").build();
        float[] output = {7, 7};
        TaskGradients gradients = TaskGradients.ofMatrix(new float[] {1, -1}, new float[] {2, 3});

        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> graddrop.apply(gradients, null, Noise.seeded(1, 2), MemorySegment.ofArray(output)));
        assertEquals("native", e.backend());
        assertEquals("custom keep function", e.feature());
        assertEquals(7.0f, output[0]);
        assertEquals(7.0f, output[1]);
    }

    @Test
    void customKeepFunctionAutomaticUsesJava() {
        GradDrop graddrop = GradDrop.builder().keepFunction(KeepFunction.custom(p -> p * p)).build();
        TaskGradients gradients = TaskGradients.ofMatrix(new float[] {1, -1}, new float[] {2, 3});
        org.graddrop.Request request = org.graddrop.Request.of(gradients, Noise.seeded(1, 2), MemorySegment.ofArray(new float[2]));
        assertEquals("java", graddrop.backendFor(request));
    }
}
