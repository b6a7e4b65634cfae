package org.graddrop.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** A device's OpenCL handles with what was read about it. */
record ClDevice(cl_platform_id platform, cl_device_id id, DeviceInfo info) {
}
