package org.graddrop.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.Request;
import org.graddrop.TaskGradients;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Shape and size mismatches are rejected with the argument and the sizes, before anything is written. */
@Tag("conformance")
class InvalidShapesTest {

    private static final int K = CallFixture.TASKS;
    private static final int B = CallFixture.BATCH;
    private static final int D = CallFixture.FEATURES;

    @Test
    void gradientBlockSize() {
        try (CallFixture call = new CallFixture()) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.of(call.floats(K * B * D - 1), K, B, D));

            CallFixture.assertMessage(error, "gradients", "116 bytes", "expected 120", "[2, 3, 5]");
        }
    }

    @Test
    void gradientSegmentSize() {
        try (CallFixture call = new CallFixture()) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.of(B, D, call.floats(B * D), call.floats(B * D + 1)));

            CallFixture.assertMessage(error, "gradients[1]", "64 bytes", "expected 60");
        }
    }

    @Test
    void matrixRowSize() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TaskGradients.ofMatrix(new float[] {1, 2, 3}, new float[] {1, 2}));

        CallFixture.assertMessage(error, "gradients[1]", "8 bytes", "expected 12");
    }

    @Test
    void zeroTasks() {
        try (CallFixture call = new CallFixture()) {
            CallFixture.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.of(call.floats(0), 0, B, D)), "tasks", "got 0");
            CallFixture.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.of(B, D, new MemorySegment[0])), "tasks", "got 0");
            CallFixture.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.ofMatrix(new float[0][])), "tasks", "got 0");
        }
    }

    @Test
    void nonPositiveBatchOrFeatures() {
        try (CallFixture call = new CallFixture()) {
            CallFixture.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.of(call.floats(10), K, 0, D)), "batch", "got 0");
            CallFixture.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.of(call.floats(10), K, B, -4)), "features", "got -4");
            CallFixture.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.ofMatrix(0, call.floats(1))), "features", "got 0");
        }
    }

    @Test
    void sizeOverflow() {
        try (CallFixture call = new CallFixture()) {
            long big = 1L << 30;
            CallFixture.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.of(call.floats(4), 3, big, big)), "3 × 1073741824 × 1073741824", "overflows");
            CallFixture.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.of(call.floats(4), 1, 1L << 40, 1L << 40)), "1099511627776 × 1099511627776", "overflows");
            CallFixture.assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> TaskGradients.of(Long.MAX_VALUE, 2, call.floats(4))), "overflows");
        }
    }

    @Test
    void activationsSize() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();

            call.assertRejected(() -> graddrop.apply(call.request().withActivations(call.floats(B * D - 1))),
                    "activations", "56 bytes", "expected 60");
        }
    }

    @Test
    void uniformSize() {
        try (CallFixture call = new CallFixture()) {
            GradDrop marginalized = BackendUnderTest.builder().build();
            GradDrop perExample = BackendUnderTest.builder().marginalizeBatch(false).build();
            Request perExampleWithFeatureNoise = call.request();
            Request tooLong = Request.of(call.gradients, Noise.explicit(call.floats(D + 1)), call.output)
                    .withTaskOutputs(call.taskOutputs);

            call.assertRejected(() -> marginalized.apply(tooLong), "uniform noise", "one value per feature", "24 bytes",
                    "expected 20");
            call.assertRejected(() -> perExample.apply(perExampleWithFeatureNoise), "uniform noise",
                    "one value per element", "20 bytes", "expected 60");
        }
    }

    @Test
    void outputSize() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();
            MemorySegment shortOutput = call.floats(B * D - 1);
            shortOutput.fill((byte) 0x7f);
            MemorySegment before = call.floats(B * D - 1).copyFrom(shortOutput);

            call.assertRejected(() -> graddrop.apply(Request.of(call.gradients, Noise.explicit(call.uniform), shortOutput)
                    .withTaskOutputs(call.taskOutputs)), "output", "56 bytes", "expected 60");
            org.junit.jupiter.api.Assertions.assertEquals(-1L, before.mismatch(shortOutput), "short output written");
        }
    }

    @Test
    void taskOutputCount() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();

            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(call.taskOutputs[0])),
                    "task outputs", "1 segments", "one per task (2)");
            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(call.taskOutputs[0], call.taskOutputs[1],
                    call.floats(B * D))), "task outputs", "3 segments");
        }
    }

    @Test
    void taskOutputSize() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();

            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(call.taskOutputs[0], call.floats(B * D + 2))),
                    "taskOutputs[1]", "68 bytes", "expected 60");
        }
    }
}
