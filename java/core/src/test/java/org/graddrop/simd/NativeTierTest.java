package org.graddrop.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.graddrop.spi.Availability;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The tier the library chose against the CPU flags Linux reports, lowered by GRADDROP_MAX_TIER. */
@Tag("simd")
class NativeTierTest {

    private static final List<String> X86_ORDER = List.of("scalar", "sse2", "avx2", "avx512");

    @Test
    void tierMatchesCpuFlags() {
        Availability availability = NativeBackend.instance().availability();
        assertTrue(availability.available(), availability::detail);

        Set<String> flags = CpuFeatures.flags();
        assertFalse(flags.isEmpty(), "no CPU flags in /proc/cpuinfo");
        String expected = capped(CpuFeatures.bestTier(flags), System.getenv("GRADDROP_MAX_TIER"));

        assertEquals(expected, NativeBackend.tierName());
        assertTrue(availability.detail().startsWith("tier " + expected + ", "), availability.detail());
    }

    @Test
    void flagsParsedFromCpuinfo() {
        Set<String> flags = CpuFeatures.parse(List.of("processor\t: 0", "flags\t\t: fpu sse sse2 avx avx2", "bugs\t: x"));
        assertEquals(Set.of("fpu", "sse", "sse2", "avx", "avx2"), flags);
        assertEquals("avx2", CpuFeatures.bestTier(flags));
        assertEquals("neon", CpuFeatures.bestTier(CpuFeatures.parse(List.of("Features\t: fp asimd evtstrm"))));
    }

    /** Applies the library's GRADDROP_MAX_TIER rule: a tier name or number that only lowers the tier. */
    private static String capped(String hardware, String cap) {
        if (cap == null || cap.isBlank()) {
            return hardware;
        }
        List<String> names = List.of("scalar", "sse2", "avx2", "avx512", "neon");
        String name = cap.trim().toLowerCase(Locale.ROOT);
        if (name.matches("[0-4]")) {
            name = names.get(Integer.parseInt(name));
        }
        if (!names.contains(name)) {
            return hardware;
        }
        if (hardware.equals("neon") || hardware.equals("scalar") && name.equals("neon")) {
            return name.equals("neon") ? hardware : "scalar";
        }
        if (name.equals("neon")) {
            return hardware;
        }
        return X86_ORDER.get(Math.min(X86_ORDER.indexOf(hardware), X86_ORDER.indexOf(name)));
    }
}
