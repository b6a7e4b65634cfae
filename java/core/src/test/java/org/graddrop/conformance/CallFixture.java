package org.graddrop.conformance;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.graddrop.Noise;
import org.graddrop.Request;
import org.graddrop.TaskGradients;
import org.junit.jupiter.api.function.Executable;

/**
 * A valid off-heap call (K = 2, B = 3, D = 5) whose output and task outputs hold sentinels, so a
 * test can break one argument and check that the call is rejected with nothing written.
 */
final class CallFixture implements AutoCloseable {

    static final int TASKS = 2;
    static final int BATCH = 3;
    static final int FEATURES = 5;
    static final int ELEMENTS = BATCH * FEATURES;

    final Arena arena = Arena.ofConfined();
    final TaskGradients gradients;
    final MemorySegment activations;
    final MemorySegment uniform;
    final MemorySegment output;
    final MemorySegment[] taskOutputs;

    CallFixture() {
        Data data = Data.random(77, TASKS, BATCH, FEATURES, true, true);
        gradients = Runs.gradients(arena, data, Runs.Layout.BLOCK);
        activations = Runs.copy(arena, data.activations());
        uniform = Runs.copy(arena, Uniforms.random(FEATURES, 78));
        output = Runs.copy(arena, Runs.sentinels(ELEMENTS));
        taskOutputs = new MemorySegment[TASKS];
        for (int k = 0; k < TASKS; k++) {
            taskOutputs[k] = Runs.copy(arena, Runs.sentinels(ELEMENTS));
        }
    }

    /** Builds the full valid request: activations, explicit U, task outputs and statistics. */
    Request request() {
        return Request.of(gradients, Noise.explicit(uniform), output).withActivations(activations)
                .withTaskOutputs(taskOutputs).withStatistics();
    }

    /** Allocates a zeroed off-heap segment of {@code count} floats. */
    MemorySegment floats(int count) {
        return arena.allocate(JAVA_FLOAT, count);
    }

    /** Runs {@code call}, expects an IllegalArgumentException naming every fragment, and checks nothing was written. */
    IllegalArgumentException assertRejected(Executable call, String... fragments) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call);
        assertMessage(error, fragments);
        assertUnwritten();
        return error;
    }

    void assertUnwritten() {
        Checks.assertUnwritten(output.toArray(JAVA_FLOAT), "output");
        for (int k = 0; k < TASKS; k++) {
            Checks.assertUnwritten(taskOutputs[k].toArray(JAVA_FLOAT), "taskOutputs[" + k + "]");
        }
    }

    static void assertMessage(Throwable error, String... fragments) {
        for (String fragment : fragments) {
            assertNotNull(error.getMessage(), "exception message");
            assertTrue(error.getMessage().contains(fragment),
                    "message '" + error.getMessage() + "' does not contain '" + fragment + "'");
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
