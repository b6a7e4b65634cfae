package org.graddrop;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The K per-task gradients of one call, as views of the caller's float32 memory: either one
 * task-major [K][B][D] block or K separate [B][D] segments. Nothing is copied; a task's view is a
 * slice of the caller's segment.
 *
 * <p>Batched gradients have shape [K, B, D]. Unbatched gradients are a [K, D] matrix, for
 * gradients with respect to parameters, and behave as B = 1.
 */
public final class TaskGradients {

    private final MemorySegment[] tasks;
    private final long batch;
    private final long features;
    private final boolean batched;

    private TaskGradients(MemorySegment[] tasks, long batch, long features, boolean batched) {
        this.tasks = tasks;
        this.batch = batch;
        this.features = features;
        this.batched = batched;
    }

    /** One contiguous task-major [tasks][batch][features] block of float32. */
    public static TaskGradients of(MemorySegment block, int tasks, long batch, long features) {
        return fromBlock(block, tasks, batch, features, true);
    }

    /** One contiguous [tasks][features] matrix of float32, without a batch dimension. */
    public static TaskGradients ofMatrix(MemorySegment block, int tasks, long features) {
        return fromBlock(block, tasks, 1, features, false);
    }

    /** K separate segments of [batch][features] float32 each. */
    public static TaskGradients of(long batch, long features, MemorySegment... perTask) {
        return fromSegments(perTask, batch, features, true);
    }

    /** K separate segments of [features] float32 each, without a batch dimension. */
    public static TaskGradients ofMatrix(long features, MemorySegment... perTask) {
        return fromSegments(perTask, 1, features, false);
    }

    /** Heap arrays of [batch·features] floats each, one per task; a convenience that wraps without copying. */
    public static TaskGradients of(long batch, long features, float[]... perTask) {
        Objects.requireNonNull(perTask, "gradients must not be null");
        MemorySegment[] segments = new MemorySegment[perTask.length];
        for (int k = 0; k < perTask.length; k++) {
            Objects.requireNonNull(perTask[k], "gradients[" + k + "] must not be null");
            segments[k] = MemorySegment.ofArray(perTask[k]);
        }
        return fromSegments(segments, batch, features, true);
    }

    /** Heap arrays of [features] floats each, one per task, without a batch dimension. */
    public static TaskGradients ofMatrix(float[]... perTask) {
        Objects.requireNonNull(perTask, "gradients must not be null");
        if (perTask.length == 0) {
            throw new IllegalArgumentException("tasks must be at least 1, got 0 gradient arrays");
        }
        MemorySegment[] segments = new MemorySegment[perTask.length];
        for (int k = 0; k < perTask.length; k++) {
            Objects.requireNonNull(perTask[k], "gradients[" + k + "] must not be null");
            segments[k] = MemorySegment.ofArray(perTask[k]);
        }
        return fromSegments(segments, 1, perTask[0].length, false);
    }

    private static TaskGradients fromBlock(MemorySegment block, int tasks, long batch, long features, boolean batched) {
        Objects.requireNonNull(block, "gradients segment must not be null");
        requireTasks(tasks);
        long perTask = Shapes.elements("gradients", batch, features);
        long bytes = Shapes.bytes("gradients", perTask > Long.MAX_VALUE / tasks ? -1 : tasks * perTask, tasks, batch, features);
        if (block.byteSize() != bytes) {
            throw new IllegalArgumentException("gradients segment has " + block.byteSize() + " bytes, expected "
                    + bytes + " for " + Shapes.describe(tasks, batch, features, batched) + " float32 values");
        }
        MemorySegment[] segments = new MemorySegment[tasks];
        long taskBytes = perTask * Float.BYTES;
        for (int k = 0; k < tasks; k++) {
            segments[k] = block.asSlice(k * taskBytes, taskBytes);
        }
        return new TaskGradients(segments, batch, features, batched);
    }

    private static TaskGradients fromSegments(MemorySegment[] perTask, long batch, long features, boolean batched) {
        Objects.requireNonNull(perTask, "gradients must not be null");
        requireTasks(perTask.length);
        long perTaskElements = Shapes.elements("gradients", batch, features);
        Shapes.bytes("gradients", perTaskElements > Long.MAX_VALUE / perTask.length ? -1 : perTask.length * perTaskElements,
                perTask.length, batch, features);
        long taskBytes = perTaskElements * Float.BYTES;
        MemorySegment[] segments = perTask.clone();
        for (int k = 0; k < segments.length; k++) {
            Objects.requireNonNull(segments[k], "gradients[" + k + "] must not be null");
            if (segments[k].byteSize() != taskBytes) {
                throw new IllegalArgumentException("gradients[" + k + "] has " + segments[k].byteSize() + " bytes, expected "
                        + taskBytes + " for " + Shapes.describe(1, batch, features, batched).replace("[1, ", "[")
                        + " float32 values");
            }
        }
        return new TaskGradients(segments, batch, features, batched);
    }

    private static void requireTasks(int tasks) {
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
        }
    }

    public int tasks() {
        return tasks.length;
    }

    /** B; 1 for unbatched gradients. */
    public long batch() {
        return batch;
    }

    public long features() {
        return features;
    }

    /** False for a [K, D] matrix without a batch dimension. */
    public boolean batched() {
        return batched;
    }

    /** Task {@code k}'s [B][D] float32 view. */
    public MemorySegment task(int k) {
        return tasks[k];
    }

    /** B·D, the number of floats per task and in the output. */
    public long elementsPerTask() {
        return batch * features;
    }

    /** Reads one value; for tests and small tools, not for hot loops. */
    public float get(int task, long index) {
        return tasks[task].getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, index);
    }

    @Override
    public String toString() {
        return "TaskGradients" + Shapes.describe(tasks.length, batch, features, batched);
    }
}
