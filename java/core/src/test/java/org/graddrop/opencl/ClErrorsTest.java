package org.graddrop.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jocl.CL;
import org.jocl.cl_mem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** OpenCL error codes become exceptions that name the error and the call. */
@Tag("opencl")
class ClErrorsTest {

    @Test
    void namesMatchKhronosHeaders() {
        assertEquals("CL_SUCCESS", ClErrors.name(0));
        assertEquals("CL_DEVICE_NOT_FOUND", ClErrors.name(-1));
        assertEquals("CL_OUT_OF_RESOURCES", ClErrors.name(-5));
        assertEquals("CL_BUILD_PROGRAM_FAILURE", ClErrors.name(-11));
        assertEquals("CL_INVALID_VALUE", ClErrors.name(-30));
        assertEquals("CL_INVALID_KERNEL_ARGS", ClErrors.name(-52));
        assertEquals("CL_INVALID_BUFFER_SIZE", ClErrors.name(-61));
        assertEquals("CL_MAX_SIZE_RESTRICTION_EXCEEDED", ClErrors.name(-72));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR", ClErrors.name(-1001));
    }

    @Test
    void unknownCodeKeepsNumber() {
        assertEquals("CL error -9999", ClErrors.name(-9999));
    }

    @Test
    void checkNamesCallAndError() {
        OpenClException e = assertThrows(OpenClException.class, () -> ClErrors.check(-5, "clEnqueueNDRangeKernel"));
        assertEquals("clEnqueueNDRangeKernel failed with CL_OUT_OF_RESOURCES (-5)", e.getMessage());
        assertEquals("CL_OUT_OF_RESOURCES", e.errorName());
        assertEquals("clEnqueueNDRangeKernel", e.call());
    }

    @Test
    void realFailureIsNamed() {
        OpenClTests.requireDevice();
        try (DeviceSession session = OpenClBackend.instance().openSession()) {
            int[] error = new int[1];
            cl_mem buffer = CL.clCreateBuffer(session.context().context(), CL.CL_MEM_READ_WRITE, 0, null, error);
            if (buffer != null) {
                CL.clReleaseMemObject(buffer);
            }
            assertEquals(ClErrors.name(-61), ClErrors.name(error[0]), "clCreateBuffer of 0 bytes");
            OpenClException e = assertThrows(OpenClException.class, () -> ClErrors.check(error[0], "clCreateBuffer"));
            assertTrue(e.getMessage().startsWith("clCreateBuffer failed with CL_INVALID_BUFFER_SIZE (-61)"), e.getMessage());
        }
    }
}
