package org.graddrop.opencl;

import static org.graddrop.opencl.ClErrors.check;

import java.nio.charset.StandardCharsets;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** Typed reads of clGetPlatformInfo and clGetDeviceInfo, checking every return code. */
final class ClQuery {

    private ClQuery() {
    }

    static String platformString(cl_platform_id platform, int parameter) {
        long[] size = new long[1];
        check(CL.clGetPlatformInfo(platform, parameter, 0, null, size), "clGetPlatformInfo");
        byte[] bytes = new byte[(int) size[0]];
        check(CL.clGetPlatformInfo(platform, parameter, bytes.length, Pointer.to(bytes), null), "clGetPlatformInfo");
        return trimNul(bytes);
    }

    static String deviceString(cl_device_id device, int parameter) {
        long[] size = new long[1];
        check(CL.clGetDeviceInfo(device, parameter, 0, null, size), "clGetDeviceInfo");
        byte[] bytes = new byte[(int) size[0]];
        check(CL.clGetDeviceInfo(device, parameter, bytes.length, Pointer.to(bytes), null), "clGetDeviceInfo");
        return trimNul(bytes);
    }

    /** A cl_uint or cl_bool parameter. */
    static int deviceInt(cl_device_id device, int parameter) {
        int[] value = new int[1];
        check(CL.clGetDeviceInfo(device, parameter, Sizeof.cl_uint, Pointer.to(value), null), "clGetDeviceInfo");
        return value[0];
    }

    /** A cl_ulong or cl_bitfield parameter. */
    static long deviceLong(cl_device_id device, int parameter) {
        long[] value = new long[1];
        check(CL.clGetDeviceInfo(device, parameter, Sizeof.cl_ulong, Pointer.to(value), null), "clGetDeviceInfo");
        return value[0];
    }

    /** A size_t parameter. */
    static long deviceSize(cl_device_id device, int parameter) {
        long[] value = new long[1];
        check(CL.clGetDeviceInfo(device, parameter, Sizeof.size_t, Pointer.to(value), null), "clGetDeviceInfo");
        return value[0];
    }

    private static String trimNul(byte[] bytes) {
        int length = bytes.length;
        while (length > 0 && bytes[length - 1] == 0) {
            length--;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8).trim();
    }
}
