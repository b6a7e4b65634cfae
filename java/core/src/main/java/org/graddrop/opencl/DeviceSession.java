package org.graddrop.opencl;

import static org.graddrop.opencl.ClErrors.check;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.graddrop.GradDrop;
import org.graddrop.KeepFunction;
import org.graddrop.Noise;
import org.graddrop.NonFinitePolicy;
import org.graddrop.Preset;
import org.graddrop.Statistics;
import org.graddrop.UnsupportedFeatureException;
import org.jocl.CL;
import org.jocl.cl_mem;

/**
 * Tensors that live on one OpenCL device across calls, so that a training loop on a discrete GPU
 * pays the bus only for what it uploads and downloads:
 *
 * <pre>{@code
 * try (DeviceSession session = OpenClBackend.instance().openSession()) {
 *     DeviceTensor gradients = session.allocate(tasks * batch * features);
 *     DeviceTensor output = session.allocate(batch * features);
 *     gradients.upload(hostGradients);
 *     session.apply(graddrop, gradients, tasks, batch, features, null, Noise.seeded(seed, step), output);
 *     output.download(hostOutput);
 * }
 * }</pre>
 *
 * The results are the same bits as {@link GradDrop#apply}. Calls on one device run one at a time.
 */
public final class DeviceSession implements AutoCloseable {

    private final OpenClBackend backend;
    private final DeviceContext context;
    private final List<DeviceTensor> tensors = new ArrayList<>();
    private boolean closed;

    DeviceSession(OpenClBackend backend, DeviceContext context) {
        this.backend = backend;
        this.context = context;
    }

    /** The device this session runs on. */
    public DeviceInfo device() {
        return context.info();
    }

    /** A new device tensor of {@code floats} float32 values, with undefined contents. */
    public synchronized DeviceTensor allocate(long floats) {
        requireOpen();
        if (floats < 1) {
            throw new IllegalArgumentException("floats must be at least 1, got " + floats);
        }
        int[] error = new int[1];
        cl_mem buffer = CL.clCreateBuffer(context.context(), CL.CL_MEM_READ_WRITE, floats * Float.BYTES, null, error);
        check(error[0], "clCreateBuffer(" + floats * Float.BYTES + " bytes)");
        DeviceTensor tensor = new DeviceTensor(this, buffer, floats);
        tensors.add(tensor);
        return tensor;
    }

    /** A new device tensor holding a copy of {@code source}. */
    public DeviceTensor upload(MemorySegment source) {
        if (source.byteSize() % Float.BYTES != 0 || source.byteSize() == 0) {
            throw new IllegalArgumentException("source has " + source.byteSize() + " bytes; expected a positive multiple of 4");
        }
        DeviceTensor tensor = allocate(source.byteSize() / Float.BYTES);
        tensor.upload(source);
        return tensor;
    }

    /** As {@link #apply(GradDrop, DeviceTensor, int, long, long, DeviceTensor, Noise, DeviceTensor, DeviceTensor, boolean)} without task outputs or statistics. */
    public void apply(GradDrop graddrop, DeviceTensor gradients, int tasks, long batch, long features,
                      DeviceTensor activations, Noise noise, DeviceTensor output) {
        apply(graddrop, gradients, tasks, batch, features, activations, noise, output, null, false);
    }

    /**
     * Applies {@code graddrop}'s settings to device tensors and waits until the kernels are done.
     *
     * @param gradients   task-major [tasks][batch][features] float32
     * @param activations [batch][features], or null
     * @param noise       seeded noise, or explicit noise uploaded for this call
     * @param output      [batch][features], written
     * @param taskOutputs [tasks][batch][features], written, or null
     * @param statistics  true to return statistics, else null is returned
     */
    public Statistics apply(GradDrop graddrop, DeviceTensor gradients, int tasks, long batch, long features,
                            DeviceTensor activations, Noise noise, DeviceTensor output, DeviceTensor taskOutputs,
                            boolean statistics) {
        requireOpen();
        Objects.requireNonNull(graddrop, "graddrop must not be null");
        Objects.requireNonNull(noise, "noise must not be null");
        if (tasks < 1 || batch < 1 || features < 1) {
            throw new IllegalArgumentException("tasks, batch and features must be at least 1, got " + tasks + ", " + batch
                    + ", " + features);
        }
        long elements = Math.multiplyExact(batch, features);
        requireTensor("gradients", gradients, Math.multiplyExact(elements, (long) tasks));
        if (activations != null) {
            requireTensor("activations", activations, elements);
        }
        requireTensor("output", output, elements);
        if (taskOutputs != null) {
            requireTensor("taskOutputs", taskOutputs, Math.multiplyExact(elements, (long) tasks));
        }
        requireDistinct(gradients, activations, output, taskOutputs);
        if (graddrop.keepFunction().kind() == KeepFunction.Kind.CUSTOM) {
            throw new UnsupportedFeatureException("opencl", "custom keep function", "a Java function cannot run in an OpenCL kernel");
        }
        if (graddrop.nonFinitePolicy() == NonFinitePolicy.REJECT) {
            // NOTE: the scan runs on host memory only; a device-side scan would lift this.
            throw new UnsupportedFeatureException("opencl", "NonFinitePolicy.REJECT in a device session",
                    "the inputs are in device memory; use PROPAGATE, or GradDrop.apply with host segments");
        }
        if (graddrop.preset() == Preset.TORCHJD && (batch != 1 || activations != null)) {
            throw new IllegalArgumentException("preset torchjd takes a [K, D] matrix without activations, got batch " + batch
                    + (activations != null ? " with activations" : "") + "; use batch 1 without activations, or another preset");
        }

        float[] leaks = leaksFor(graddrop.leaks(), tasks);
        Plan plan = Plan.of(tasks, batch, features, graddrop.marginalizeBatch(),
                activations == null ? null : graddrop.activationMode(), graddrop.purityForm(), graddrop.keepFunction(),
                graddrop.tieRule(), graddrop.epsilon(), leaks, graddrop.normMode(), noise, statistics,
                graddrop.histogramBins());
        OpenClBackend.checkSupported(context.info(), plan);
        if (noise instanceof Noise.Explicit explicit && explicit.uniform().byteSize() != plan.positions() * Float.BYTES) {
            throw new IllegalArgumentException("uniform noise has " + explicit.uniform().byteSize() + " bytes, expected "
                    + plan.positions() * Float.BYTES + " (one float per mask position)");
        }

        context.lock().lock();
        try (SegmentTransfer transfer = new SegmentTransfer(context); KernelRun run = new KernelRun(context, plan)) {
            cl_mem uniform = noise instanceof Noise.Explicit explicit ? transfer.input("uniform noise", explicit.uniform()) : null;
            Statistics result = run.run(new Operands(gradients.handle(), elements,
                    activations == null ? null : activations.handle(), uniform, output.handle(),
                    taskOutputs == null ? null : taskOutputs.handle(), elements));
            transfer.finish();
            if (run.lastEvent() != null) {
                check(CL.clWaitForEvents(1, new org.jocl.cl_event[] {run.lastEvent()}), "clWaitForEvents");
            }
            backend.recordDevice(context.info());
            return result;
        } finally {
            context.lock().unlock();
        }
    }

    DeviceContext context() {
        return context;
    }

    synchronized void forget(DeviceTensor tensor) {
        tensors.remove(tensor);
    }

    private void requireTensor(String argument, DeviceTensor tensor, long floats) {
        Objects.requireNonNull(tensor, argument + " must not be null");
        if (tensor.session() != this) {
            throw new IllegalArgumentException(argument + " belongs to another session; allocate it from this one");
        }
        tensor.handle();
        if (tensor.floats() != floats) {
            throw new IllegalArgumentException(argument + " has " + tensor.floats() + " floats, expected " + floats);
        }
    }

    private static void requireDistinct(DeviceTensor... tensors) {
        for (int i = 0; i < tensors.length; i++) {
            for (int j = i + 1; j < tensors.length; j++) {
                if (tensors[i] != null && tensors[i] == tensors[j]) {
                    throw new IllegalArgumentException("the same device tensor is passed twice; GradDrop does not run in place,"
                            + " so give the output its own tensor");
                }
            }
        }
    }

    private static float[] leaksFor(float[] leaks, int tasks) {
        if (leaks.length == 1) {
            float[] all = new float[tasks];
            Arrays.fill(all, leaks[0]);
            return all;
        }
        if (leaks.length != tasks) {
            throw new IllegalArgumentException("leaks has " + leaks.length + " values but the gradients have " + tasks
                    + " tasks; give one leak for all tasks or one per task");
        }
        return leaks;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the device session is closed");
        }
    }

    /** Frees every tensor still open. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (DeviceTensor tensor : new ArrayList<>(tensors)) {
            tensor.close();
        }
        closed = true;
    }
}
