package org.graddrop;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The segments of one call: gradients, optional activations, noise, the output and the optional
 * per-task outputs. Immutable; the {@code with} methods return a copy, so one request can be
 * prepared once and reused every step when its segments stay the same.
 */
public final class Request {

    private final TaskGradients gradients;
    private final MemorySegment activations;
    private final Noise noise;
    private final MemorySegment output;
    private final MemorySegment[] taskOutputs;
    private final boolean statistics;

    private Request(TaskGradients gradients, MemorySegment activations, Noise noise, MemorySegment output,
                    MemorySegment[] taskOutputs, boolean statistics) {
        this.gradients = gradients;
        this.activations = activations;
        this.noise = noise;
        this.output = output;
        this.taskOutputs = taskOutputs;
        this.statistics = statistics;
    }

    /** A request that writes the combined gradient, B·D float32 values, into {@code output}. */
    public static Request of(TaskGradients gradients, Noise noise, MemorySegment output) {
        Objects.requireNonNull(gradients, "gradients must not be null");
        Objects.requireNonNull(noise, "noise must not be null");
        Objects.requireNonNull(output, "output must not be null");
        return new Request(gradients, null, noise, output, null, false);
    }

    /** Adds activations A of shape [B, D]; null removes them. */
    public Request withActivations(MemorySegment activations) {
        return new Request(gradients, activations, noise, output, taskOutputs, statistics);
    }

    /** Also writes each task's transformed gradient (l_k + (1 − l_k) M_k) ∘ ∇L_k, one segment per task. */
    public Request withTaskOutputs(MemorySegment... taskOutputs) {
        Objects.requireNonNull(taskOutputs, "task outputs must not be null");
        return new Request(gradients, activations, noise, output, taskOutputs.clone(), statistics);
    }

    /** Requests statistics, returned by {@link GradDrop#apply(Request)}. */
    public Request withStatistics() {
        return new Request(gradients, activations, noise, output, taskOutputs, true);
    }

    public TaskGradients gradients() {
        return gradients;
    }

    /** The activations, or null. */
    public MemorySegment activations() {
        return activations;
    }

    public Noise noise() {
        return noise;
    }

    public MemorySegment output() {
        return output;
    }

    /** The per-task outputs, or null when not requested. */
    public MemorySegment[] taskOutputs() {
        return taskOutputs == null ? null : taskOutputs.clone();
    }

    MemorySegment[] taskOutputsUnsafe() {
        return taskOutputs;
    }

    public boolean statistics() {
        return statistics;
    }
}
