package org.graddrop.opencl;

import static org.graddrop.opencl.ClErrors.check;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/** Sets a kernel's arguments in declaration order, checking each call. */
final class KernelArguments {

    private final cl_kernel kernel;
    private final String kernelName;
    private int index;

    KernelArguments(cl_kernel kernel, String kernelName) {
        this.kernel = kernel;
        this.kernelName = kernelName;
    }

    KernelArguments buffer(cl_mem buffer) {
        return set(Sizeof.cl_mem, Pointer.to(buffer));
    }

    KernelArguments ulong(long value) {
        return set(Sizeof.cl_ulong, Pointer.to(new long[] {value}));
    }

    KernelArguments integer(int value) {
        return set(Sizeof.cl_int, Pointer.to(new int[] {value}));
    }

    KernelArguments flag(boolean value) {
        return integer(value ? 1 : 0);
    }

    KernelArguments real(float value) {
        return set(Sizeof.cl_float, Pointer.to(new float[] {value}));
    }

    /** A __local buffer of {@code bytes} bytes. */
    KernelArguments local(long bytes) {
        return set(bytes, null);
    }

    private KernelArguments set(long size, Pointer value) {
        check(CL.clSetKernelArg(kernel, index, size, value), "clSetKernelArg(" + kernelName + ", " + index + ")");
        index++;
        return this;
    }
}
