package org.graddrop.opencl;

import static org.graddrop.opencl.ClErrors.check;

import java.util.ArrayList;
import java.util.List;
import org.graddrop.NormMode;
import org.graddrop.Statistics;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * Enqueues the kernels of one call on a device whose operands are already in device buffers. The
 * host side of the contract runs here: the double block sums are added in block order, and the
 * norm factor is computed in Java exactly as the reference does. Call under the device lock.
 */
final class KernelRun implements AutoCloseable {

    /** Positions per block of the double sums; part of the arithmetic contract. */
    static final int BLOCK = 4096;

    /** Work-items per launch, a power of two, so that each launch stays far below any device's global size limit. */
    private static final long MAX_LAUNCH = 1L << 26;

    private static final int PREFERRED_GROUP = 128;

    private final DeviceContext device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Plan plan;
    private final List<cl_mem> scratch = new ArrayList<>();
    private cl_event last;

    KernelRun(DeviceContext device, Plan plan) {
        this.device = device;
        this.context = device.context();
        this.queue = device.queue();
        this.plan = plan;
    }

    /**
     * Enqueues every kernel and returns the statistics, or null when the plan does not request them.
     * Reads of small results block; the output kernels may still be running when this returns, and
     * {@link #lastEvent()} completes after them.
     */
    Statistics run(Operands operands) {
        int width = device.width();
        DeviceContext.Kernels kernels = device.kernels(KernelVariant.of(plan, width));
        long positions = plan.positions();

        cl_mem placeholder = allocate(CL.CL_MEM_READ_WRITE, Float.BYTES);
        cl_mem coefficientsKept = upload(plan.keptCoefficients());
        cl_mem coefficientsDropped = upload(plan.droppedCoefficients());
        long partialBytes = plan.norms() ? positions * Double.BYTES : Double.BYTES;
        cl_mem partialIn = plan.norms() ? allocate(CL.CL_MEM_READ_WRITE, partialBytes) : placeholder;
        cl_mem partialOut = plan.norms() ? allocate(CL.CL_MEM_READ_WRITE, partialBytes) : placeholder;
        cl_mem purities = plan.statistics() ? allocate(CL.CL_MEM_READ_WRITE, positions * Float.BYTES) : placeholder;
        int counterCount = plan.tasks() + 1 + plan.bins();
        cl_mem counters = plan.statistics() ? upload(new int[counterCount]) : placeholder;

        // At width 1 four work-items share a Philox block, so groups start at multiples of 4 positions.
        // Groups are powers of two, so that a launch of MAX_LAUNCH work-items ends on a group boundary.
        long group = width == 1 ? Math.max(4, Long.highestOneBit(workGroupSize(kernels.positions(), PREFERRED_GROUP))) : 1;
        int spansPerItem = spansPerWorkItem(width);
        long span = positionsPerSpan(width);
        long itemPositions = span * spansPerItem;
        long launchPositions = MAX_LAUNCH * itemPositions;
        for (long first = 0; first < positions; first += launchPositions) {
            long count = Math.min(launchPositions, positions - first);
            new KernelArguments(kernels.positions(), "graddrop_positions")
                    .buffer(operands.gradients()).ulong(operands.taskStride())
                    .buffer(orElse(operands.activations(), placeholder)).integer(plan.activationMode())
                    .buffer(orElse(operands.uniform(), placeholder)).flag(plan.explicitNoise())
                    .integer((int) plan.seed()).integer((int) (plan.seed() >>> 32))
                    .integer((int) plan.step()).integer((int) (plan.step() >>> 32))
                    .buffer(coefficientsKept).buffer(coefficientsDropped)
                    .buffer(operands.output())
                    .buffer(orElse(operands.taskOutputs(), placeholder)).ulong(operands.taskOutputStride())
                    .flag(operands.taskOutputs() != null)
                    .buffer(partialIn).buffer(partialOut)
                    .local(width == 1 ? group * Float.BYTES : tileBytes(plan.batch(), plan.tasks(), span))
                    .buffer(purities).buffer(counters).local(plan.statistics() ? counterCount * (long) Integer.BYTES : Integer.BYTES)
                    .integer(plan.bins())
                    .ulong(plan.batch()).ulong(positions).ulong(first)
                    .flag(plan.lingvoForm()).integer(plan.keepKind()).real(plan.keepScale()).real(plan.keepFourScale())
                    .real(plan.epsilon()).flag(plan.lingvoTies()).integer(spansPerItem);
            long workItems = (count + itemPositions - 1) / itemPositions;
            launch(kernels.positions(), "graddrop_positions", 0, roundUp(workItems, group), group);
        }

        if (plan.norms()) {
            double totalIn = blockTotal(kernels.blockSums(), "graddrop_block_sums", partialIn, positions);
            double totalOut = blockTotal(kernels.blockSums(), "graddrop_block_sums", partialOut, positions);
            float scale = normScale(plan.normMode(), plan.epsilon(), totalIn, totalOut);
            long elements = plan.elements();
            long scaleGroup = workGroupSize(kernels.scale(), PREFERRED_GROUP);
            new KernelArguments(kernels.scale(), "graddrop_scale").buffer(operands.output()).ulong(elements).real(scale);
            for (long first = 0; first < elements; first += MAX_LAUNCH) {
                launch(kernels.scale(), "graddrop_scale", first, roundUp(Math.min(MAX_LAUNCH, elements - first), scaleGroup),
                        scaleGroup);
            }
        }

        if (!plan.statistics()) {
            return null;
        }
        double puritySum = blockTotal(kernels.blockSumsFloat(), "graddrop_block_sums_float", purities, positions);
        int[] counts = new int[counterCount];
        check(CL.clEnqueueReadBuffer(queue, counters, CL.CL_TRUE, 0, (long) counterCount * Integer.BYTES,
                Pointer.to(counts), 0, null, null), "clEnqueueReadBuffer(statistics counters)");
        long[] kept = new long[plan.tasks()];
        for (int k = 0; k < kept.length; k++) {
            kept[k] = Integer.toUnsignedLong(counts[k]);
        }
        long[] histogram = new long[plan.bins()];
        for (int bin = 0; bin < histogram.length; bin++) {
            histogram[bin] = Integer.toUnsignedLong(counts[plan.tasks() + 1 + bin]);
        }
        return new Statistics(positions, kept, Integer.toUnsignedLong(counts[plan.tasks()]), puritySum, histogram);
    }

    /** Returns the event of the last kernel enqueued, or null when none was. */
    cl_event lastEvent() {
        return last;
    }

    /** Computes the norm factor with the reference's float32 operations. */
    static float normScale(NormMode mode, float epsilon, double totalIn, double totalOut) {
        float normIn = (float) Math.sqrt(totalIn);
        float normOut = (float) Math.sqrt(totalOut);
        if (mode == NormMode.KEEP) {
            float den = normOut + epsilon;
            return den == 0.0f ? 1.0f : normIn / den;
        }
        float den = normIn + epsilon;
        return den == 0.0f ? 1.0f : normOut / den;
    }

    /** Sums {@code count} partials block by block on the device, then the block sums in order here, from 0.0. */
    private double blockTotal(cl_kernel kernel, String name, cl_mem partials, long count) {
        long blocks = (count + BLOCK - 1) / BLOCK;
        cl_mem sums = allocate(CL.CL_MEM_READ_WRITE, blocks * Double.BYTES);
        long group = workGroupSize(kernel, PREFERRED_GROUP);
        new KernelArguments(kernel, name).buffer(partials).ulong(count).buffer(sums);
        launch(kernel, name, 0, roundUp(blocks, group), group);

        // NOTE: the block sums come back as one heap array, so a call is limited to 2^31 - 1 blocks.
        double[] blockSums = new double[Math.toIntExact(blocks)];
        check(CL.clEnqueueReadBuffer(queue, sums, CL.CL_TRUE, 0, blocks * Double.BYTES, Pointer.to(blockSums),
                0, null, null), "clEnqueueReadBuffer(block sums)");
        double total = 0.0;
        for (double blockSum : blockSums) {
            total += blockSum;
        }
        return total;
    }

    private void launch(cl_kernel kernel, String name, long offset, long global, long local) {
        cl_event event = new cl_event();
        check(CL.clEnqueueNDRangeKernel(queue, kernel, 1, offset == 0 ? null : new long[] {offset}, new long[] {global},
                new long[] {local}, 0, null, event), "clEnqueueNDRangeKernel(" + name + ")");
        replaceLast(event);
    }

    private void replaceLast(cl_event event) {
        if (last != null) {
            CL.clReleaseEvent(last);
        }
        last = event;
    }

    /** Returns the SPAN of graddrop_positions: four vectors above width 1, so that Philox fills a vector of blocks. */
    static long positionsPerSpan(int width) {
        return width == 1 ? 1 : 4L * width;
    }

    /**
     * Returns the spans each work-item of graddrop_positions covers. Widths above 1 are picked for
     * CPUs, where PoCL runs each work-group on one thread. There the kernel runs in groups of one
     * work-item looping over 16 spans: PoCL then keeps the work-item's vectors in registers, and
     * there are few enough groups that their scheduling costs little.
     * NOTE: measured with PoCL 3.1 on a 2-core AMD EPYC (Zen 4) VM, K = 4, B·D = 16 Mi unbatched,
     * one PoCL thread: 38 ms a call with 16 spans per work-item, 43 ms with 64, and 48 ms with
     * groups of 16 work-items of one span each.
     */
    static int spansPerWorkItem(int width) {
        return width == 1 ? 1 : 16;
    }

    /** The maximum tile, in floats, that pass 1 copies for pass 2; the kernels get it as TILE_FLOATS. */
    static final long TILE_FLOATS = 64 * 1024;

    /** Returns the bytes of the local tile of one span's gradient rows, by the kernel's TILE_FLOATS rule. */
    static long tileBytes(long batch, int tasks, long span) {
        long floats = batch * tasks * span;
        return batch > 1 && floats <= TILE_FLOATS ? floats * Float.BYTES : Float.BYTES;
    }

    private long workGroupSize(cl_kernel kernel, long preferred) {
        long[] size = new long[1];
        check(CL.clGetKernelWorkGroupInfo(kernel, device.device().id(), CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t,
                Pointer.to(size), null), "clGetKernelWorkGroupInfo");
        return Math.max(1, Math.min(preferred, size[0]));
    }

    private static long roundUp(long count, long group) {
        return (count + group - 1) / group * group;
    }

    private static cl_mem orElse(cl_mem buffer, cl_mem placeholder) {
        return buffer != null ? buffer : placeholder;
    }

    private cl_mem allocate(long flags, long bytes) {
        int[] error = new int[1];
        cl_mem buffer = CL.clCreateBuffer(context, flags, bytes, null, error);
        check(error[0], "clCreateBuffer(" + bytes + " bytes)");
        scratch.add(buffer);
        return buffer;
    }

    private cl_mem upload(float[] values) {
        return uploaded(Pointer.to(values), (long) values.length * Float.BYTES);
    }

    private cl_mem upload(int[] values) {
        return uploaded(Pointer.to(values), (long) values.length * Integer.BYTES);
    }

    private cl_mem uploaded(Pointer values, long bytes) {
        int[] error = new int[1];
        cl_mem buffer = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE | CL.CL_MEM_COPY_HOST_PTR, bytes, values, error);
        check(error[0], "clCreateBuffer(" + bytes + " bytes, copied)");
        scratch.add(buffer);
        return buffer;
    }

    /** Releases the scratch buffers and the last event; OpenCL keeps them until queued work is done. */
    @Override
    public void close() {
        for (cl_mem buffer : scratch) {
            CL.clReleaseMemObject(buffer);
        }
        scratch.clear();
        replaceLast(null);
    }
}
