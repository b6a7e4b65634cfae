package org.graddrop.simd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CPU features that Linux reports in {@code /proc/cpuinfo} ("flags" on x86, "Features" on
 * AArch64), for the probe report and to cross-check the tier the native library chose. The
 * kernel lists a vector extension only when it also saves that register state, which is the
 * condition the library checks with XGETBV.
 */
public final class CpuFeatures {

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private CpuFeatures() {
    }

    /** Returns the feature flags of the first processor, or an empty set when they cannot be read. */
    public static Set<String> flags() {
        try {
            return parse(Files.readAllLines(CPUINFO));
        } catch (IOException | SecurityException e) {
            return Set.of();
        }
    }

    static Set<String> parse(List<String> cpuinfo) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (key.equals("flags") || key.equals("features")) {
                return new TreeSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
            }
        }
        return Set.of();
    }

    /** Returns the best tier the flags allow: "avx512", "avx2", "sse2", "neon" or "scalar". */
    public static String bestTier(Set<String> flags) {
        if (flags.contains("avx512f")) {
            return "avx512";
        }
        if (flags.contains("avx2")) {
            return "avx2";
        }
        if (flags.contains("sse2")) {
            return "sse2";
        }
        if (flags.contains("asimd")) {
            return "neon";
        }
        return "scalar";
    }
}
