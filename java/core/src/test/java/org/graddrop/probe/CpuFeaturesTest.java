package org.graddrop.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuFeaturesTest {

    @Test
    void x86FlagsKeepVectorFeaturesInOrder() {
        List<String> cpuinfo = List.of("processor\t: 0", "flags\t\t: fpu sse2 avx2 avx fma avx512f avx512bw ht", "",
                "processor\t: 1", "flags\t\t: fpu");
        assertEquals(List.of("sse2", "avx", "avx2", "fma", "avx512f", "avx512bw"), CpuFeatures.parse(cpuinfo));
    }

    @Test
    void armFeaturesLine() {
        List<String> cpuinfo = List.of("processor\t: 0", "Features\t: fp asimd evtstrm sve sve2 asimdhp");
        assertEquals(List.of("asimd", "asimdhp", "sve", "sve2"), CpuFeatures.parse(cpuinfo));
    }

    @Test
    void missingFlagsLineFindsNothing() {
        assertEquals(List.of(), CpuFeatures.parse(List.of("model name\t: something")));
    }
}
