package org.graddrop.opencl;

import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL platforms and devices of this machine, found once. Finding none is a normal outcome
 * with a reason and a fix: no ICD loader (JOCL cannot load libOpenCL), no platform registered with
 * the loader, or platforms without devices.
 *
 * @param devices the devices, in platform order then device order
 * @param problem why there are no devices and what to install; null when some were found
 * @param cause   the failure behind {@code problem}, or null
 */
record Discovery(List<ClDevice> devices, String problem, Throwable cause) {

    static final String INSTALL_HINT =
            "install ocl-icd-libopencl1 and an ICD such as pocl-opencl-icd, or your GPU vendor's driver";

    static Discovery run() {
        cl_platform_id[] platforms;
        try {
            platforms = platformIds();
        } catch (LinkageError e) {
            return new Discovery(List.of(), describeLoadFailure(e), e);
        } catch (OpenClException e) {
            if (e.code() == ClErrors.CL_PLATFORM_NOT_FOUND_KHR) {
                return new Discovery(List.of(), "the OpenCL ICD loader found no platform (CL_PLATFORM_NOT_FOUND_KHR); "
                        + INSTALL_HINT + ", and check OCL_ICD_VENDORS and /etc/OpenCL/vendors", e);
            }
            return new Discovery(List.of(), "listing OpenCL platforms failed: " + e.getMessage(), e);
        }
        if (platforms.length == 0) {
            return new Discovery(List.of(), "the OpenCL ICD loader found no platform; " + INSTALL_HINT, null);
        }

        List<ClDevice> devices = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            try {
                for (cl_device_id id : deviceIds(platform)) {
                    devices.add(new ClDevice(platform, id, DeviceInfoReader.read(devices.size(), platform, id)));
                }
            } catch (OpenClException e) {
                failures.add(e.getMessage());
            }
        }
        if (devices.isEmpty()) {
            return new Discovery(List.of(), "OpenCL platforms were found but no device"
                    + (failures.isEmpty() ? "" : " (" + String.join("; ", failures) + ")") + "; " + INSTALL_HINT, null);
        }
        return new Discovery(List.copyOf(devices), null, null);
    }

    private static cl_platform_id[] platformIds() {
        int[] count = new int[1];
        ClErrors.check(CL.clGetPlatformIDs(0, null, count), "clGetPlatformIDs");
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        if (count[0] > 0) {
            ClErrors.check(CL.clGetPlatformIDs(count[0], platforms, null), "clGetPlatformIDs");
        }
        return platforms;
    }

    private static cl_device_id[] deviceIds(cl_platform_id platform) {
        int[] count = new int[1];
        int code = CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, count);
        if (code == CL.CL_DEVICE_NOT_FOUND) {
            return new cl_device_id[0];
        }
        ClErrors.check(code, "clGetDeviceIDs");
        cl_device_id[] devices = new cl_device_id[count[0]];
        ClErrors.check(CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, count[0], devices, null), "clGetDeviceIDs");
        return devices;
    }

    /**
     * Tells apart the two libraries that can fail to load: JOCL's own JNI library, which JOCL
     * extracts to java.io.tmpdir, and the system's OpenCL ICD loader, which JOCL opens afterwards.
     * Only the first line of JOCL's message is kept, because it appends whole stack traces.
     */
    static String describeLoadFailure(LinkageError error) {
        String message = String.valueOf(error.getMessage());
        String firstLine = message.lines().findFirst().orElse(message).strip();
        if (message.contains("Could not initialize native OpenCL library")) {
            return "the OpenCL ICD loader (libOpenCL) could not be loaded (" + firstLine + "); " + INSTALL_HINT;
        }
        return "JOCL's native library could not be loaded (" + firstLine + "); check that java.io.tmpdir ("
                + System.getProperty("java.io.tmpdir") + ") holds no stale libJOCL file, or put JOCL's library on java.library.path";
    }
}
