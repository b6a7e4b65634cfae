package org.graddrop.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The two libraries behind OpenCL fail with different advice, each on one line. */
class LoadFailureTest {

    @Test
    void missingIcdLoaderNamesPackages() {
        String text = Discovery.describeLoadFailure(new UnsatisfiedLinkError(
                "Could not initialize native OpenCL library. Implementation library could not be loaded"));

        assertTrue(text.startsWith("the OpenCL ICD loader (libOpenCL) could not be loaded"), text);
        assertTrue(text.contains("ocl-icd-libopencl1"), text);
    }

    @Test
    void brokenJoclLibraryKeepsFirstLine() {
        String text = Discovery.describeLoadFailure(new UnsatisfiedLinkError(
                "Error while loading native library \"JOCL_2_0_5-linux-x86_64\"\nOperating system name: Linux\n"
                        + "---(start of nested stack traces)---\n\\tat somewhere"));

        assertTrue(text.startsWith("JOCL's native library could not be loaded (Error while loading native library"), text);
        assertTrue(text.contains("java.io.tmpdir"), text);
        assertFalse(text.contains("\n"), text);
        assertFalse(text.contains("nested stack traces"), text);
    }
}
