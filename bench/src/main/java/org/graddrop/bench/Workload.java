package org.graddrop.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.graddrop.Noise;
import org.graddrop.Request;
import org.graddrop.TaskGradients;

/**
 * The off-heap inputs and output of one benchmark trial, allocated once and aligned to 128 bytes.
 *
 * <p>A batched workload is K task-major [B][D] gradients with B = 256 (or B = 1 when 256 does not
 * divide B·D) plus [B][D] activations, as LibMTL passes a representation's gradients. An unbatched
 * workload is a [K][D] matrix of parameter gradients without activations, as TorchJD takes it.
 */
final class Workload implements AutoCloseable {

    /** Alignment of every segment: two 64-byte cache lines, and a multiple of every SIMD width. */
    static final long ALIGNMENT = 128;

    /** The batch size of batched workloads, when it divides the element count. */
    static final long BATCH = 256;

    private static final long SEED = 0x6772616464726f70L;

    final int tasks;
    final long batch;
    final long features;
    final boolean batched;
    final MemorySegment gradients;
    final MemorySegment activations;
    final MemorySegment output;
    private final Arena arena;

    private Workload(int tasks, long batch, long features, boolean batched) {
        this.tasks = tasks;
        this.batch = batch;
        this.features = features;
        this.batched = batched;
        this.arena = Arena.ofShared();

        long elements = batch * features;
        this.gradients = allocate(tasks * elements);
        this.activations = batched ? allocate(elements) : null;
        this.output = allocate(elements);

        fillUniform(gradients, SEED);
        if (activations != null) {
            fillUniform(activations, SEED + 1);
        }
    }

    /** Allocates and fills a workload of {@code tasks} × {@code elements} floats in the given layout. */
    static Workload create(int tasks, long elements, String layout) {
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
        }
        if (elements < 1) {
            throw new IllegalArgumentException("elements must be at least 1, got " + elements);
        }
        return switch (layout) {
            case "batched" -> {
                long batch = elements % BATCH == 0 ? BATCH : 1;
                yield new Workload(tasks, batch, elements / batch, true);
            }
            case "unbatched" -> new Workload(tasks, 1, elements, false);
            default -> throw new IllegalArgumentException("invalid layout '" + layout + "': expected batched or unbatched");
        };
    }

    /** Allocates and fills a batched workload of an explicit shape, with activations. */
    static Workload batched(int tasks, long batch, long features) {
        if (tasks < 1 || batch < 1 || features < 1) {
            throw new IllegalArgumentException("tasks, batch and features must be at least 1, got K = " + tasks
                    + ", B = " + batch + ", D = " + features);
        }
        return new Workload(tasks, batch, features, true);
    }

    /** B·D, the floats of one task's gradient and of the output. */
    long elements() {
        return batch * features;
    }

    /** The tensors read (K gradients, plus activations when batched) and written (the output). */
    int tensorsMoved() {
        return tasks + (activations != null ? 1 : 0) + 1;
    }

    /** Bytes read plus bytes written by one pass: the traffic against which throughput is measured. */
    long trafficBytes() {
        return tensorsMoved() * elements() * Float.BYTES;
    }

    /** A request over this workload's segments that writes into {@code target}. */
    Request request(MemorySegment target) {
        TaskGradients taskGradients = batched
                ? TaskGradients.of(gradients, tasks, batch, features)
                : TaskGradients.ofMatrix(gradients, tasks, features);
        return Request.of(taskGradients, noise(), target).withActivations(activations);
    }

    /** The Philox noise of every call: the same seed and step, so every backend draws the same U. */
    Noise noise() {
        return Noise.seeded(SEED, 1);
    }

    /** A new zeroed segment of {@code floats} floats, freed with this workload. */
    MemorySegment allocate(long floats) {
        return arena.allocate(floats * Float.BYTES, ALIGNMENT);
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Fills a segment with floats uniform in [-1, 1), so that task signs conflict about half the time. */
    private static void fillUniform(MemorySegment segment, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long floats = segment.byteSize() / Float.BYTES;
        for (long i = 0; i < floats; i++) {
            float value = (random.nextInt() >> 8) * 0x1.0p-23f;
            segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
        }
    }
}
