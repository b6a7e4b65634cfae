package org.graddrop.opencl;

import static org.graddrop.opencl.ClQuery.deviceInt;
import static org.graddrop.opencl.ClQuery.deviceLong;
import static org.graddrop.opencl.ClQuery.deviceSize;
import static org.graddrop.opencl.ClQuery.deviceString;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jocl.CL;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** Reads the {@link DeviceInfo} of one device. */
final class DeviceInfoReader {

    private DeviceInfoReader() {
    }

    static DeviceInfo read(int index, cl_platform_id platform, cl_device_id device) {
        Set<String> extensions = Set.of(deviceString(device, CL.CL_DEVICE_EXTENSIONS).split("\\s+"));
        long singleConfig = deviceLong(device, CL.CL_DEVICE_SINGLE_FP_CONFIG);
        return new DeviceInfo(
                index,
                ClQuery.platformString(platform, CL.CL_PLATFORM_NAME),
                ClQuery.platformString(platform, CL.CL_PLATFORM_VERSION),
                deviceString(device, CL.CL_DEVICE_VENDOR),
                deviceString(device, CL.CL_DEVICE_NAME),
                typeName(deviceLong(device, CL.CL_DEVICE_TYPE)),
                deviceInt(device, CL.CL_DEVICE_MAX_COMPUTE_UNITS),
                deviceLong(device, CL.CL_DEVICE_GLOBAL_MEM_SIZE),
                deviceLong(device, CL.CL_DEVICE_LOCAL_MEM_SIZE),
                deviceLong(device, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                deviceInt(device, CL.CL_DEVICE_HOST_UNIFIED_MEMORY) != 0,
                extensions.contains("cl_khr_fp64"),
                extensions.contains("cl_khr_fp16"),
                deviceSize(device, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE),
                deviceInt(device, CL.CL_DEVICE_MEM_BASE_ADDR_ALIGN) / 8L,
                (singleConfig & CL.CL_FP_DENORM) != 0,
                (singleConfig & CL.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0,
                deviceString(device, CL.CL_DEVICE_OPENCL_C_VERSION),
                deviceString(device, CL.CL_DRIVER_VERSION));
    }

    private static String typeName(long type) {
        List<String> names = new ArrayList<>();
        if ((type & CL.CL_DEVICE_TYPE_CPU) != 0) {
            names.add("CPU");
        }
        if ((type & CL.CL_DEVICE_TYPE_GPU) != 0) {
            names.add("GPU");
        }
        if ((type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0) {
            names.add("ACCELERATOR");
        }
        if ((type & CL.CL_DEVICE_TYPE_CUSTOM) != 0) {
            names.add("CUSTOM");
        }
        return names.isEmpty() ? "UNKNOWN" : String.join("+", names);
    }
}
