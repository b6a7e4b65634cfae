package org.graddrop.conformance;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.graddrop.GradDrop;
import org.graddrop.Noise;
import org.graddrop.Request;
import org.graddrop.Statistics;
import org.graddrop.TaskGradients;

/** Runs a GradDrop instance on {@link Data} laid out in each way the API accepts. */
final class Runs {

    /** A value no backend writes, so an element that keeps it was never written. */
    static final float SENTINEL = Float.intBitsToFloat(0x7fc5_5a5a);

    private Runs() {
    }

    /** How the gradients reach the library. */
    enum Layout {
        /** One off-heap task-major [K][B][D] block. */
        BLOCK,
        /** K separate off-heap segments. */
        SEGMENTS,
        /** Heap float[] arrays through the convenience factories. */
        HEAP
    }

    /** Everything one call wrote. */
    record Result(float[] output, float[][] taskOutputs, Statistics statistics) {
    }

    static Result run(GradDrop graddrop, Data data, Noise noise) {
        return run(graddrop, data, noise, Layout.BLOCK, true, true);
    }

    static Result run(GradDrop graddrop, Data data, float[] uniform) {
        return run(graddrop, data, Noise.explicit(uniform), Layout.BLOCK, true, true);
    }

    static Result run(GradDrop graddrop, Data data, Noise noise, Layout layout, boolean taskOutputs, boolean statistics) {
        try (Arena arena = Arena.ofConfined()) {
            int elements = data.elements();
            boolean heap = layout == Layout.HEAP;
            TaskGradients gradients = gradients(arena, data, layout);

            MemorySegment activations = null;
            if (data.activations() != null) {
                activations = heap ? MemorySegment.ofArray(data.activations().clone()) : copy(arena, data.activations());
            }
            if (!heap && noise instanceof Noise.Explicit explicit && !explicit.uniform().isNative()) {
                noise = Noise.explicit(copy(arena, explicit.uniform().toArray(JAVA_FLOAT)));
            }

            float[] outputArray = sentinels(elements);
            MemorySegment output = heap ? MemorySegment.ofArray(outputArray) : copy(arena, outputArray);
            Request request = Request.of(gradients, noise, output).withActivations(activations);

            float[][] taskArrays = null;
            MemorySegment[] taskSegments = null;
            if (taskOutputs) {
                taskArrays = new float[data.tasks()][];
                taskSegments = new MemorySegment[data.tasks()];
                for (int k = 0; k < data.tasks(); k++) {
                    taskArrays[k] = sentinels(elements);
                    taskSegments[k] = heap ? MemorySegment.ofArray(taskArrays[k]) : copy(arena, taskArrays[k]);
                }
                request = request.withTaskOutputs(taskSegments);
            }
            if (statistics) {
                request = request.withStatistics();
            }

            Statistics result = graddrop.apply(request);

            float[] written = output.toArray(JAVA_FLOAT);
            float[][] writtenTasks = null;
            if (taskOutputs) {
                writtenTasks = new float[data.tasks()][];
                for (int k = 0; k < data.tasks(); k++) {
                    writtenTasks[k] = taskSegments[k].toArray(JAVA_FLOAT);
                }
            }
            return new Result(written, writtenTasks, result);
        }
    }

    static TaskGradients gradients(Arena arena, Data data, Layout layout) {
        int tasks = data.tasks();
        long batch = data.batch();
        long features = data.features();
        switch (layout) {
            case BLOCK -> {
                MemorySegment block = arena.allocate(JAVA_FLOAT, (long) tasks * data.elements());
                for (int k = 0; k < tasks; k++) {
                    MemorySegment.copy(data.gradients()[k], 0, block, JAVA_FLOAT, (long) k * data.elements() * Float.BYTES,
                            data.elements());
                }
                return data.batched() ? TaskGradients.of(block, tasks, batch, features) : TaskGradients.ofMatrix(block, tasks, features);
            }
            case SEGMENTS -> {
                MemorySegment[] segments = new MemorySegment[tasks];
                for (int k = 0; k < tasks; k++) {
                    segments[k] = copy(arena, data.gradients()[k]);
                }
                return data.batched() ? TaskGradients.of(batch, features, segments) : TaskGradients.ofMatrix(features, segments);
            }
            default -> {
                float[][] arrays = new float[tasks][];
                for (int k = 0; k < tasks; k++) {
                    arrays[k] = data.gradients()[k].clone();
                }
                return data.batched() ? TaskGradients.of(batch, features, arrays) : TaskGradients.ofMatrix(arrays);
            }
        }
    }

    static MemorySegment copy(Arena arena, float[] values) {
        MemorySegment segment = arena.allocate(JAVA_FLOAT, values.length);
        MemorySegment.copy(values, 0, segment, JAVA_FLOAT, 0, values.length);
        return segment;
    }

    static float[] sentinels(int count) {
        float[] values = new float[count];
        java.util.Arrays.fill(values, SENTINEL);
        return values;
    }
}
