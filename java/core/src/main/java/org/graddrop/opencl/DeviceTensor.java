package org.graddrop.opencl;

import static org.graddrop.opencl.ClErrors.check;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_mem;

/**
 * A float32 buffer that stays in one device's memory between calls of a {@link DeviceSession}.
 * Uploads and downloads block until the copy is done. Not thread-safe; close it, or its session,
 * to free the device memory.
 */
public final class DeviceTensor implements AutoCloseable {

    private static final long CHUNK = 1L << 30;

    private final DeviceSession session;
    private final long floats;
    private cl_mem buffer;

    DeviceTensor(DeviceSession session, cl_mem buffer, long floats) {
        this.session = session;
        this.buffer = buffer;
        this.floats = floats;
    }

    /** The number of float32 values. */
    public long floats() {
        return floats;
    }

    /** Copies {@code source}, exactly {@link #floats()} float32 values, into the device buffer. */
    public void upload(MemorySegment source) {
        requireSize("source", source);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = source.isNative() ? source : arena.allocate(source.byteSize(), 64).copyFrom(source);
            for (long offset = 0; offset < host.byteSize(); offset += CHUNK) {
                long length = Math.min(CHUNK, host.byteSize() - offset);
                check(CL.clEnqueueWriteBuffer(session.context().queue(), handle(), CL.CL_TRUE, offset, length,
                        Pointer.to(host.asSlice(offset, length).asByteBuffer()), 0, null, null), "clEnqueueWriteBuffer");
            }
        }
    }

    /** Copies the device buffer into {@code target}, exactly {@link #floats()} float32 values, once pending calls finish. */
    public void download(MemorySegment target) {
        requireSize("target", target);
        if (target.isReadOnly()) {
            throw new IllegalArgumentException("target is read-only; pass a writable segment to download into");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = target.isNative() ? target : arena.allocate(target.byteSize(), 64);
            for (long offset = 0; offset < host.byteSize(); offset += CHUNK) {
                long length = Math.min(CHUNK, host.byteSize() - offset);
                check(CL.clEnqueueReadBuffer(session.context().queue(), handle(), CL.CL_TRUE, offset, length,
                        Pointer.to(host.asSlice(offset, length).asByteBuffer()), 0, null, null), "clEnqueueReadBuffer");
            }
            if (host != target) {
                target.copyFrom(host);
            }
        }
    }

    cl_mem handle() {
        if (buffer == null) {
            throw new IllegalStateException("the device tensor of " + floats + " floats is closed");
        }
        return buffer;
    }

    DeviceSession session() {
        return session;
    }

    private void requireSize(String argument, MemorySegment segment) {
        if (segment.byteSize() != floats * Float.BYTES) {
            throw new IllegalArgumentException(argument + " has " + segment.byteSize() + " bytes, expected "
                    + floats * Float.BYTES + " (" + floats + " float32 values)");
        }
    }

    /** Frees the device memory; closing twice does nothing. */
    @Override
    public void close() {
        if (buffer != null) {
            CL.clReleaseMemObject(buffer);
            buffer = null;
            session.forget(this);
        }
    }
}
