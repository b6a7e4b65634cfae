package org.graddrop.conformance;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.Request;
import org.graddrop.TaskGradients;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Closed, read-only, overlapping and misaligned segments are rejected with the argument named,
 * before anything is written.
 */
@Tag("conformance")
class InvalidSegmentsTest {

    private static final int B = CallFixture.BATCH;
    private static final int D = CallFixture.FEATURES;

    private static MemorySegment closed(int floats) {
        Arena arena = Arena.ofConfined();
        MemorySegment segment = arena.allocate(JAVA_FLOAT, floats);
        arena.close();
        return segment;
    }

    @Test
    void closedSegments() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();

            TaskGradients closedGradients = TaskGradients.of(B, D, call.gradients.task(0), closed(B * D));
            call.assertRejected(() -> graddrop.apply(Request.of(closedGradients, Noise.explicit(call.uniform), call.output)
                    .withTaskOutputs(call.taskOutputs)), "gradients[1]", "closed");
            call.assertRejected(() -> graddrop.apply(call.request().withActivations(closed(B * D))), "activations", "closed");
            call.assertRejected(() -> graddrop.apply(Request.of(call.gradients, Noise.explicit(closed(D)), call.output)
                    .withTaskOutputs(call.taskOutputs)), "uniform noise", "closed");
            call.assertRejected(() -> graddrop.apply(Request.of(call.gradients, Noise.explicit(call.uniform), closed(B * D))
                    .withTaskOutputs(call.taskOutputs)), "output", "closed");
            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(call.taskOutputs[0], closed(B * D))),
                    "taskOutputs[1]", "closed");
        }
    }

    @Test
    void segmentOfAnotherThread() throws Exception {
        try (CallFixture call = new CallFixture(); Arena foreign = Arena.ofConfined()) {
            GradDrop graddrop = BackendUnderTest.builder().build();
            MemorySegment[] owned = new MemorySegment[1];
            Thread owner = Thread.ofPlatform().start(() -> owned[0] = Arena.ofConfined().allocate(JAVA_FLOAT, CallFixture.ELEMENTS));
            owner.join();

            call.assertRejected(() -> graddrop.apply(call.request().withActivations(owned[0])), "activations",
                    "confined to another thread");
        }
    }

    @Test
    void uniformOutsideUnitIntervalRejected() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().nonFinitePolicy(org.graddrop.NonFinitePolicy.REJECT).build();
            call.uniform.setAtIndex(JAVA_FLOAT, 3, 1.0f);

            call.assertRejected(() -> graddrop.apply(call.request()), "uniform noise", "1.0", "index 3", "[0, 1)");
        }
    }

    @Test
    void readOnlyOutputs() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();

            call.assertRejected(() -> graddrop.apply(Request.of(call.gradients, Noise.explicit(call.uniform),
                    call.output.asReadOnly()).withTaskOutputs(call.taskOutputs)), "output", "read-only");
            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(call.taskOutputs[0].asReadOnly(),
                    call.taskOutputs[1])), "taskOutputs[0]", "read-only");
        }
    }

    @Test
    void outputOverlapsInput() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();
            MemorySegment gradient1 = call.gradients.task(1);
            MemorySegment gradientsBefore = call.floats(B * D).copyFrom(gradient1);
            MemorySegment activationsBefore = call.floats(B * D).copyFrom(call.activations);

            call.assertRejected(() -> graddrop.apply(Request.of(call.gradients, Noise.explicit(call.uniform), gradient1)
                    .withActivations(call.activations).withTaskOutputs(call.taskOutputs)), "output overlaps gradients[1]");
            call.assertRejected(() -> graddrop.apply(Request.of(call.gradients, Noise.explicit(call.uniform), call.activations)
                    .withActivations(call.activations).withTaskOutputs(call.taskOutputs)), "output overlaps activations");

            MemorySegment sharedWithNoise = call.floats(B * D);
            MemorySegment noiseInside = sharedWithNoise.asSlice(8, D * Float.BYTES);
            call.assertRejected(() -> graddrop.apply(Request.of(call.gradients, Noise.explicit(noiseInside), sharedWithNoise)
                    .withTaskOutputs(call.taskOutputs)), "output overlaps uniform noise");

            assertEquals(-1L, gradientsBefore.mismatch(gradient1), "gradients[1] written");
            assertEquals(-1L, activationsBefore.mismatch(call.activations), "activations written");
        }
    }

    @Test
    void taskOutputsOverlap() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();
            MemorySegment wide = call.floats(B * D + 1);
            MemorySegment first = wide.asSlice(0, B * D * Float.BYTES);
            MemorySegment shifted = wide.asSlice(Float.BYTES, B * D * Float.BYTES);

            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(call.taskOutputs[0], call.taskOutputs[0])),
                    "taskOutputs[1] overlaps taskOutputs[0]");
            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(first, shifted)),
                    "taskOutputs[1] overlaps taskOutputs[0]");
            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(call.output, call.taskOutputs[1])),
                    "taskOutputs[0] overlaps output");
            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(call.taskOutputs[0], call.gradients.task(0))),
                    "taskOutputs[1] overlaps gradients[0]");
            call.assertRejected(() -> graddrop.apply(call.request().withTaskOutputs(call.activations, call.taskOutputs[1])),
                    "taskOutputs[0] overlaps activations");
        }
    }

    @Test
    void misalignedSegments() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();
            MemorySegment raw = call.arena.allocate(B * D * Float.BYTES + 4L, 8);
            MemorySegment misaligned = raw.asSlice(1, B * D * Float.BYTES);

            TaskGradients misalignedGradients = TaskGradients.of(B, D, call.gradients.task(0), misaligned);
            call.assertRejected(() -> graddrop.apply(Request.of(misalignedGradients, Noise.explicit(call.uniform), call.output)
                    .withTaskOutputs(call.taskOutputs)), "gradients[1]", "not 4-byte aligned");
            call.assertRejected(() -> graddrop.apply(call.request().withActivations(misaligned)), "activations",
                    "not 4-byte aligned");
            call.assertRejected(() -> graddrop.apply(Request.of(call.gradients,
                    Noise.explicit(raw.asSlice(2, D * Float.BYTES)), call.output).withTaskOutputs(call.taskOutputs)),
                    "uniform noise", "not 4-byte aligned");
            call.assertRejected(() -> graddrop.apply(Request.of(call.gradients, Noise.explicit(call.uniform), misaligned)
                    .withTaskOutputs(call.taskOutputs)), "output", "not 4-byte aligned");

            MemorySegment block = call.arena.allocate(2L * B * D * Float.BYTES + 4, 8).asSlice(3, 2L * B * D * Float.BYTES);
            call.assertRejected(() -> graddrop.apply(Request.of(TaskGradients.of(block, 2, B, D), Noise.explicit(call.uniform),
                    call.output)), "gradients[0]", "not 4-byte aligned");
        }
    }

    @Test
    void heapByteArrayIsMisaligned() {
        try (CallFixture call = new CallFixture()) {
            GradDrop graddrop = BackendUnderTest.builder().build();
            MemorySegment bytes = MemorySegment.ofArray(new byte[B * D * Float.BYTES]);

            call.assertRejected(() -> graddrop.apply(call.request().withActivations(bytes)), "activations",
                    "not 4-byte aligned");
        }
    }
}
