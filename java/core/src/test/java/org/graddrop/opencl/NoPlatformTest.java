package org.graddrop.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine whose ICD loader finds no OpenCL platform: a child JVM runs with OCL_ICD_VENDORS set
 * to an empty directory, which ocl-icd reads in place of /etc/OpenCL/vendors.
 */
@Tag("opencl")
class NoPlatformTest {

    @Test
    void emptyVendorDirectoryReportsNoPlatform(@TempDir Path vendors) throws IOException, InterruptedException {
        Map<String, String> lines = runChild(vendors);

        String text = lines.get("TEXT");
        assertTrue(text.contains("install ocl-icd-libopencl1 and an ICD such as pocl-opencl-icd"), text);
        assertTrue(text.contains("opencl  unavailable"), text);
        String json = lines.get("JSON");
        assertTrue(json.contains("\"opencl\":{\"problem\":\""), json);
        assertTrue(json.contains("\"platforms\":[]"), json);
        assertTrue(lines.get("PINNED").startsWith("backend 'opencl' is unavailable"), lines.get("PINNED"));
        assertTrue(List.of("java", "native").contains(lines.get("AUTO")), lines.get("AUTO"));

        // Where no ICD loader is installed at all, JOCL fails to load libOpenCL before any platform query.
        String loaderProblem = "the OpenCL ICD loader (libOpenCL) could not be loaded";
        if (!text.contains(loaderProblem)) {
            assertTrue(text.contains("CL_PLATFORM_NOT_FOUND_KHR"), text);
        }
    }

    private static Map<String, String> runChild(Path vendors) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.logFile=System.err",
                NoPlatformMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("OCL_ICD_VENDORS", vendors.toString());
        builder.environment().remove("GRADDROP_BACKEND");
        builder.redirectErrorStream(false);
        Path errors = Files.createTempFile(vendors.getParent(), "child", ".err");
        builder.redirectError(errors.toFile());
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish within 60 s");
        assertEquals(0, child.exitValue(), "child JVM failed:\n" + output + Files.readString(errors));

        Map<String, String> lines = new java.util.HashMap<>();
        for (String line : output.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                lines.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        for (String key : List.of("TEXT", "JSON", "PINNED", "AUTO")) {
            assertTrue(lines.containsKey(key), "the child printed no " + key + " line:\n" + output);
        }
        return lines;
    }
}
