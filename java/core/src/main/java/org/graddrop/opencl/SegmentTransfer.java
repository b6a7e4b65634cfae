package org.graddrop.opencl;

import static org.graddrop.opencl.ClErrors.check;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the caller's segments to and from device buffers for one call.
 *
 * <p>On a device with host-unified memory, a native segment whose address meets
 * CL_DEVICE_MEM_BASE_ADDR_ALIGN is used in place through a CL_MEM_USE_HOST_PTR buffer. Every other
 * segment goes through a copy: heap segments and misaligned native ones on unified devices, and all
 * segments on discrete devices. Transfers are enqueued without blocking, so the caller's segments
 * must stay alive until {@link #finish} returns; {@link #finish} checks that they still are.
 */
final class SegmentTransfer implements AutoCloseable {

    /** Bytes per enqueued copy or mapping, below the 2 GiB limit of a ByteBuffer. */
    private static final long CHUNK = 1L << 30;

    private static final Logger LOG = LoggerFactory.getLogger(SegmentTransfer.class);

    private final DeviceContext device;
    private final cl_command_queue queue;
    private final Arena staging = Arena.ofConfined();
    private final List<cl_mem> buffers = new ArrayList<>();
    private final List<cl_event> events = new ArrayList<>();
    private final List<MemorySegment> callerSegments = new ArrayList<>();
    private final List<Runnable> copyBacks = new ArrayList<>();
    private final List<Output> outputs = new ArrayList<>();

    private record Output(cl_mem buffer, boolean inPlace, MemorySegment[] parts, MemorySegment[] targets) {
    }

    SegmentTransfer(DeviceContext device) {
        this.device = device;
        this.queue = device.queue();
    }

    /**
     * A read-only buffer holding {@code parts} one after another, each of the same size; in place
     * when they are already contiguous in aligned native memory on a unified device.
     */
    cl_mem input(String name, MemorySegment... parts) {
        long partBytes = parts[0].byteSize();
        long bytes = partBytes * parts.length;
        remember(parts);
        if (inPlace(name, parts)) {
            return wrap(CL.CL_MEM_READ_ONLY, parts[0], bytes);
        }
        cl_mem buffer = allocate(CL.CL_MEM_READ_ONLY, bytes);
        for (int k = 0; k < parts.length; k++) {
            write(buffer, k * partBytes, nativeCopy(parts[k]));
        }
        return buffer;
    }

    /** A write-only buffer for {@code parts}, laid out as in {@link #input}; read back by {@link #finish}. */
    cl_mem output(String name, MemorySegment... parts) {
        long partBytes = parts[0].byteSize();
        long bytes = partBytes * parts.length;
        remember(parts);
        if (inPlace(name, parts)) {
            cl_mem buffer = wrap(CL.CL_MEM_WRITE_ONLY, parts[0], bytes);
            outputs.add(new Output(buffer, true, parts, parts));
            return buffer;
        }
        cl_mem buffer = allocate(CL.CL_MEM_WRITE_ONLY, bytes);
        MemorySegment[] targets = new MemorySegment[parts.length];
        for (int k = 0; k < parts.length; k++) {
            MemorySegment part = parts[k];
            targets[k] = part.isNative() ? part : staging.allocate(partBytes, device.info().baseAddressAlignBytes());
            if (!part.isNative()) {
                MemorySegment target = targets[k];
                copyBacks.add(() -> MemorySegment.copy(target, 0, part, 0, partBytes));
            }
        }
        outputs.add(new Output(buffer, false, parts, targets));
        return buffer;
    }

    /**
     * Enqueues the reads (or, for in-place outputs, the map and unmap that make the host memory
     * current), waits for all of them after the kernels, and copies staged heap outputs back.
     */
    void finish() {
        for (Output output : outputs) {
            long partBytes = output.parts()[0].byteSize();
            if (output.inPlace()) {
                synchronize(output.buffer(), partBytes * output.parts().length);
            } else {
                for (int k = 0; k < output.targets().length; k++) {
                    read(output.buffer(), k * partBytes, output.targets()[k]);
                }
            }
        }
        await();
        for (Runnable copyBack : copyBacks) {
            copyBack.run();
        }
        for (MemorySegment segment : callerSegments) {
            if (!segment.scope().isAlive()) {
                throw new IllegalStateException("a segment passed to GradDrop was closed while the OpenCL device was using it;"
                        + " keep every segment's arena open until apply returns");
            }
        }
    }

    /** Waits for every transfer enqueued so far; the queue is in order, so kernels before them are done too. */
    void await() {
        if (!events.isEmpty()) {
            check(CL.clWaitForEvents(events.size(), events.toArray(new cl_event[0])), "clWaitForEvents");
        }
        releaseEvents();
    }

    private boolean inPlace(String name, MemorySegment[] parts) {
        DeviceInfo info = device.info();
        if (!info.unifiedMemory()) {
            return false;
        }
        long partBytes = parts[0].byteSize();
        for (int k = 0; k < parts.length; k++) {
            if (!parts[k].isNative()) {
                return false;
            }
            if (parts[k].address() != parts[0].address() + k * partBytes) {
                LOG.debug("{} is staged through a copy: its tasks are not contiguous in memory", name);
                return false;
            }
        }
        if (parts[0].address() % info.baseAddressAlignBytes() != 0) {
            LOG.debug("{} is staged through a copy: address 0x{} is not aligned to the device's {} bytes", name,
                    Long.toHexString(parts[0].address()), info.baseAddressAlignBytes());
            return false;
        }
        return true;
    }

    private void remember(MemorySegment[] parts) {
        callerSegments.addAll(List.of(parts));
    }

    private MemorySegment nativeCopy(MemorySegment segment) {
        if (segment.isNative()) {
            return segment;
        }
        MemorySegment copy = staging.allocate(segment.byteSize(), device.info().baseAddressAlignBytes());
        MemorySegment.copy(segment, 0, copy, 0, segment.byteSize());
        return copy;
    }

    /**
     * A buffer over {@code bytes} bytes of host memory starting at {@code first}'s address. The
     * pointer only carries the address, so its ByteBuffer may be shorter than {@code bytes}.
     */
    private cl_mem wrap(long access, MemorySegment first, long bytes) {
        int[] error = new int[1];
        cl_mem buffer = CL.clCreateBuffer(device.context(), access | CL.CL_MEM_USE_HOST_PTR, bytes, pointer(first, 0, bytes),
                error);
        check(error[0], "clCreateBuffer(" + bytes + " bytes, CL_MEM_USE_HOST_PTR)");
        buffers.add(buffer);
        return buffer;
    }

    private cl_mem allocate(long access, long bytes) {
        int[] error = new int[1];
        cl_mem buffer = CL.clCreateBuffer(device.context(), access, bytes, null, error);
        check(error[0], "clCreateBuffer(" + bytes + " bytes)");
        buffers.add(buffer);
        return buffer;
    }

    private void write(cl_mem buffer, long deviceOffset, MemorySegment source) {
        long bytes = source.byteSize();
        for (long offset = 0; offset < bytes; offset += CHUNK) {
            long length = Math.min(CHUNK, bytes - offset);
            cl_event event = new cl_event();
            check(CL.clEnqueueWriteBuffer(queue, buffer, CL.CL_FALSE, deviceOffset + offset, length,
                    pointer(source, offset, length), 0, null, event), "clEnqueueWriteBuffer");
            events.add(event);
        }
    }

    private void read(cl_mem buffer, long deviceOffset, MemorySegment target) {
        long bytes = target.byteSize();
        for (long offset = 0; offset < bytes; offset += CHUNK) {
            long length = Math.min(CHUNK, bytes - offset);
            cl_event event = new cl_event();
            check(CL.clEnqueueReadBuffer(queue, buffer, CL.CL_FALSE, deviceOffset + offset, length,
                    pointer(target, offset, length), 0, null, event), "clEnqueueReadBuffer");
            events.add(event);
        }
    }

    /** Maps and unmaps an in-place output, which the OpenCL spec requires before the host reads a USE_HOST_PTR buffer. */
    private void synchronize(cl_mem buffer, long bytes) {
        for (long offset = 0; offset < bytes; offset += CHUNK) {
            long length = Math.min(CHUNK, bytes - offset);
            int[] error = new int[1];
            ByteBuffer mapped = CL.clEnqueueMapBuffer(queue, buffer, CL.CL_TRUE, CL.CL_MAP_READ, offset, length, 0, null,
                    null, error);
            check(error[0], "clEnqueueMapBuffer");
            cl_event event = new cl_event();
            check(CL.clEnqueueUnmapMemObject(queue, buffer, mapped, 0, null, event), "clEnqueueUnmapMemObject");
            events.add(event);
        }
    }

    private static Pointer pointer(MemorySegment segment, long offset, long length) {
        long viewBytes = Math.min(length, CHUNK);
        return Pointer.to(segment.asSlice(offset, Math.min(viewBytes, segment.byteSize() - offset)).asByteBuffer());
    }

    private void releaseEvents() {
        for (cl_event event : events) {
            CL.clReleaseEvent(event);
        }
        events.clear();
    }

    /**
     * Releases the buffers and the staging memory. It first waits for the queue, so that after a
     * failure no enqueued copy still reads or writes staging or caller memory.
     */
    @Override
    public void close() {
        CL.clFinish(queue);
        releaseEvents();
        for (cl_mem buffer : buffers) {
            CL.clReleaseMemObject(buffer);
        }
        buffers.clear();
        staging.close();
    }
}
