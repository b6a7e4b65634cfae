package org.graddrop.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.graddrop.probe.Probe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The probe lists the native library, the CPU and every OpenCL device that discovery found. */
@Tag("opencl")
class ProbeTest {

    @Test
    void textListsEveryDevice() {
        OpenClTests.requireDevice();
        String text = Probe.text();
        assertTrue(text.contains("native library: "), text);
        assertTrue(text.contains("cpu: "), text);
        List<DeviceInfo> devices = OpenClBackend.instance().devices();
        assertTrue(!devices.isEmpty(), "availability is true but no device is listed");
        for (DeviceInfo device : devices) {
            assertTrue(text.contains(device.describe()), text);
        }
        assertTrue(text.contains("* " + OpenClBackend.instance().selectedDevice().describe()), text);
        assertTrue(text.contains("base-address alignment "), text);
    }

    @Test
    void jsonDescribesSelectedDevice() {
        OpenClTests.requireDevice();
        String json = Probe.json();
        DeviceInfo selected = OpenClBackend.instance().selectedDevice();
        assertTrue(json.contains("\"opencl\":{\"problem\":null,\"platforms\":[{"), json);
        assertTrue(json.contains("\"index\":" + selected.index() + ",\"name\":"), json);
        assertTrue(json.contains("\"unifiedMemory\":" + selected.unifiedMemory()), json);
        assertTrue(json.contains("\"fp64\":" + selected.fp64()), json);
        assertTrue(json.contains("\"baseAddressAlignBytes\":" + selected.baseAddressAlignBytes()), json);
        assertTrue(json.contains("\"selected\":true"), json);
        assertTrue(json.contains("\"nativeLibrary\":{\"loaded\":"), json);
        assertTrue(json.contains("\"cpu\":{\"architecture\":"), json);
    }

    @Test
    void deviceFieldsArePlausible() {
        OpenClTests.requireDevice();
        for (DeviceInfo device : OpenClBackend.instance().devices()) {
            assertTrue(device.computeUnits() >= 1, device.toString());
            assertTrue(device.globalMemoryBytes() > 0, device.toString());
            assertTrue(device.maxWorkGroupSize() >= 1, device.toString());
            long alignment = device.baseAddressAlignBytes();
            assertEquals(0, alignment & (alignment - 1), "alignment is not a power of two: " + device);
        }
    }
}
