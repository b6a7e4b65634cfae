package org.graddrop.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CPU's vector features that matter to the native library, read from the flags (x86) or
 * Features (ARM) line of Linux's {@code /proc/cpuinfo}.
 *
 * @param architecture the JVM's {@code os.arch}
 * @param features     the vector features found, in the order of {@link #VECTOR_FEATURES}
 * @param source       where they were read, or why they could not be
 */
record CpuFeatures(String architecture, List<String> features, String source) {

    /** The features reported, x86 first, then ARM; other flags are left out. */
    static final List<String> VECTOR_FEATURES = List.of(
            "sse2", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c",
            "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
            "amx_tile", "asimd", "asimdhp", "sve", "sve2");

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    static CpuFeatures detect() {
        String architecture = System.getProperty("os.arch", "unknown");
        if (!Files.isReadable(CPUINFO)) {
            return new CpuFeatures(architecture, List.of(), "unknown: " + CPUINFO + " is not readable on this system");
        }
        try {
            return new CpuFeatures(architecture, parse(Files.readAllLines(CPUINFO)), CPUINFO.toString());
        } catch (IOException e) {
            return new CpuFeatures(architecture, List.of(), "unknown: reading " + CPUINFO + " failed: " + e.getMessage());
        }
    }

    /** The vector features listed on the first flags or Features line of {@code cpuinfo}. */
    static List<String> parse(List<String> cpuinfo) {
        Set<String> flags = new LinkedHashSet<>();
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (key.equals("flags") || key.equals("features")) {
                flags.addAll(List.of(line.substring(colon + 1).trim().split("\\s+")));
                break;
            }
        }
        List<String> found = new ArrayList<>();
        for (String feature : VECTOR_FEATURES) {
            if (flags.contains(feature)) {
                found.add(feature);
            }
        }
        return found;
    }
}
