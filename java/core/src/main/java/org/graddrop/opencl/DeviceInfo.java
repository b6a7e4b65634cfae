package org.graddrop.opencl;

/**
 * One OpenCL device as the probe and the backend see it.
 *
 * @param index                  position in {@link OpenClBackend#devices()}, the value of
 *                               {@code graddrop.opencl.device}
 * @param platform               the platform's name
 * @param platformVersion        the platform's version string
 * @param vendor                 the device vendor
 * @param name                   the device name
 * @param type                   CPU, GPU, ACCELERATOR, CUSTOM or a combination joined by '+'
 * @param computeUnits           CL_DEVICE_MAX_COMPUTE_UNITS
 * @param globalMemoryBytes      CL_DEVICE_GLOBAL_MEM_SIZE
 * @param localMemoryBytes       CL_DEVICE_LOCAL_MEM_SIZE
 * @param maxAllocationBytes     CL_DEVICE_MAX_MEM_ALLOC_SIZE: the largest single buffer
 * @param unifiedMemory          CL_DEVICE_HOST_UNIFIED_MEMORY: the device reads host memory in place
 * @param fp64                   cl_khr_fp64 is supported
 * @param fp16                   cl_khr_fp16 is supported
 * @param maxWorkGroupSize       CL_DEVICE_MAX_WORK_GROUP_SIZE
 * @param baseAddressAlignBytes  CL_DEVICE_MEM_BASE_ADDR_ALIGN, converted from bits to bytes
 * @param denormals              CL_FP_DENORM is in CL_DEVICE_SINGLE_FP_CONFIG
 * @param correctlyRoundedDivide CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT is in CL_DEVICE_SINGLE_FP_CONFIG
 * @param openClCVersion         CL_DEVICE_OPENCL_C_VERSION
 * @param driverVersion          CL_DRIVER_VERSION
 */
public record DeviceInfo(
        int index,
        String platform,
        String platformVersion,
        String vendor,
        String name,
        String type,
        int computeUnits,
        long globalMemoryBytes,
        long localMemoryBytes,
        long maxAllocationBytes,
        boolean unifiedMemory,
        boolean fp64,
        boolean fp16,
        long maxWorkGroupSize,
        long baseAddressAlignBytes,
        boolean denormals,
        boolean correctlyRoundedDivide,
        String openClCVersion,
        String driverVersion) {

    /** Whether CL_DEVICE_TYPE includes CL_DEVICE_TYPE_GPU. */
    public boolean isGpu() {
        return type.contains("GPU");
    }

    /** One line such as "#0 GPU NVIDIA H100 (NVIDIA Corporation, platform NVIDIA CUDA)". */
    public String describe() {
        return "#" + index + " " + type + " " + name + " (" + vendor + ", platform " + platform + ")";
    }
}
