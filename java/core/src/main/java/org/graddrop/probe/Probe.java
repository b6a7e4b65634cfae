package org.graddrop.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graddrop.backend.Backends;
import org.graddrop.opencl.DeviceInfo;
import org.graddrop.opencl.OpenClBackend;
import org.graddrop.simd.NativeBackend;
import org.graddrop.spi.Availability;
import org.graddrop.spi.Backend;

/**
 * What this machine offers GradDrop: each backend's availability, the automatic choice, the
 * native library and its tier, the CPU's vector features and every OpenCL platform and device.
 * {@code graddrop probe} prints it as text or JSON.
 */
public final class Probe {

    private Probe() {
    }

    /** A human-readable report, one backend per line, then the native library, the CPU and OpenCL. */
    public static String text() {
        StringBuilder text = new StringBuilder();
        for (Backend backend : Backends.all()) {
            Availability availability = backend.availability();
            text.append(String.format("%-7s %-11s %s%n", backend.name(),
                    availability.available() ? "available" : "unavailable", availability.detail()));
        }
        text.append("auto    chooses     ").append(Backends.describeAutomaticChoice()).append('\n');

        Availability simd = NativeBackend.instance().availability();
        text.append('\n').append("native library: ").append(simd.available() ? "loaded, " : "not loaded, ")
                .append(simd.detail()).append('\n');

        CpuFeatures cpu = CpuFeatures.detect();
        text.append("cpu: ").append(cpu.architecture()).append(", vector features: ")
                .append(cpu.features().isEmpty() ? "none found" : String.join(" ", cpu.features()))
                .append(" (from ").append(cpu.source()).append(")\n");

        OpenClBackend openCl = OpenClBackend.instance();
        String problem = openCl.discoveryProblem();
        if (problem != null) {
            text.append("opencl: no device: ").append(problem).append('\n');
            return text.toString();
        }
        DeviceInfo selected = openCl.selectedDevice();
        for (Map.Entry<String, List<DeviceInfo>> platform : byPlatform(openCl.devices()).entrySet()) {
            text.append("opencl platform: ").append(platform.getKey()).append('\n');
            for (DeviceInfo device : platform.getValue()) {
                text.append("  ").append(device.equals(selected) ? "* " : "  ").append(describe(device)).append('\n');
            }
        }
        return text.toString();
    }

    /** The same report as one JSON object. */
    public static String json() {
        List<String> entries = new ArrayList<>();
        for (Backend backend : Backends.all()) {
            Availability availability = backend.availability();
            entries.add("{\"name\":" + Json.quote(backend.name()) + ",\"available\":" + availability.available()
                    + ",\"detail\":" + Json.quote(availability.detail()) + "}");
        }

        Availability simd = NativeBackend.instance().availability();
        String nativeLibrary = "{\"loaded\":" + simd.available() + ",\"detail\":" + Json.quote(simd.detail()) + "}";

        CpuFeatures cpu = CpuFeatures.detect();
        List<String> features = new ArrayList<>();
        for (String feature : cpu.features()) {
            features.add(Json.quote(feature));
        }
        String cpuJson = "{\"architecture\":" + Json.quote(cpu.architecture()) + ",\"vectorFeatures\":["
                + String.join(",", features) + "],\"source\":" + Json.quote(cpu.source()) + "}";

        OpenClBackend openCl = OpenClBackend.instance();
        DeviceInfo selected = openCl.selectedDevice();
        List<String> platforms = new ArrayList<>();
        for (Map.Entry<String, List<DeviceInfo>> platform : byPlatform(openCl.devices()).entrySet()) {
            List<String> devices = new ArrayList<>();
            for (DeviceInfo device : platform.getValue()) {
                devices.add(deviceJson(device, device.equals(selected)));
            }
            platforms.add("{\"platform\":" + Json.quote(platform.getKey()) + ",\"devices\":[" + String.join(",", devices) + "]}");
        }
        String openClJson = "{\"problem\":" + Json.quote(openCl.discoveryProblem()) + ",\"platforms\":["
                + String.join(",", platforms) + "]}";

        return "{\"backends\":[" + String.join(",", entries) + "],\"auto\":"
                + Json.quote(Backends.describeAutomaticChoice()) + ",\"nativeLibrary\":" + nativeLibrary
                + ",\"cpu\":" + cpuJson + ",\"opencl\":" + openClJson + "}";
    }

    private static Map<String, List<DeviceInfo>> byPlatform(List<DeviceInfo> devices) {
        Map<String, List<DeviceInfo>> platforms = new LinkedHashMap<>();
        for (DeviceInfo device : devices) {
            platforms.computeIfAbsent(device.platform() + " (" + device.platformVersion() + ")", key -> new ArrayList<>())
                    .add(device);
        }
        return platforms;
    }

    private static String describe(DeviceInfo device) {
        return device.describe() + ": " + device.computeUnits() + " compute units, "
                + mebibytes(device.globalMemoryBytes()) + " MiB global memory, largest buffer "
                + mebibytes(device.maxAllocationBytes()) + " MiB, "
                + (device.unifiedMemory() ? "unified" : "discrete") + " memory, fp64 " + yesNo(device.fp64())
                + ", fp16 " + yesNo(device.fp16()) + ", max work-group " + device.maxWorkGroupSize()
                + ", base-address alignment " + device.baseAddressAlignBytes() + " bytes, float denormals "
                + yesNo(device.denormals()) + ", correctly rounded division " + yesNo(device.correctlyRoundedDivide())
                + ", " + device.openClCVersion();
    }

    private static String deviceJson(DeviceInfo device, boolean selected) {
        return "{\"index\":" + device.index() + ",\"name\":" + Json.quote(device.name()) + ",\"vendor\":"
                + Json.quote(device.vendor()) + ",\"type\":" + Json.quote(device.type()) + ",\"computeUnits\":"
                + device.computeUnits() + ",\"globalMemoryBytes\":" + device.globalMemoryBytes() + ",\"localMemoryBytes\":"
                + device.localMemoryBytes() + ",\"maxAllocationBytes\":" + device.maxAllocationBytes() + ",\"unifiedMemory\":" + device.unifiedMemory() + ",\"fp64\":" + device.fp64()
                + ",\"fp16\":" + device.fp16() + ",\"maxWorkGroupSize\":" + device.maxWorkGroupSize()
                + ",\"baseAddressAlignBytes\":" + device.baseAddressAlignBytes() + ",\"denormals\":" + device.denormals()
                + ",\"correctlyRoundedDivide\":" + device.correctlyRoundedDivide() + ",\"openClCVersion\":"
                + Json.quote(device.openClCVersion()) + ",\"driverVersion\":" + Json.quote(device.driverVersion())
                + ",\"selected\":" + selected + "}";
    }

    private static long mebibytes(long bytes) {
        return bytes >> 20;
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }
}
