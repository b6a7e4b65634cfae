/*
 * Tier selection, once at load: the best tier that both the CPU and the operating system
 * support, lowered by the environment variable GRADDROP_MAX_TIER so that tests can run every
 * tier on one machine.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gd_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

/* XCR0 bits the OS sets when it saves a register state on context switches. */
#define XCR0_SSE (1u << 1)
#define XCR0_AVX (1u << 2)
#define XCR0_AVX512 ((1u << 5) | (1u << 6) | (1u << 7)) /* opmask, ZMM0-15 upper halves, ZMM16-31 */

static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t) edx << 32) | eax;
}

static int32_t hardware_tier(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        return GD_TIER_SSE2;
    }
    const int osxsave = (ecx >> 27) & 1;
    const int avx = (ecx >> 28) & 1;
    if (!osxsave || !avx) {
        return GD_TIER_SSE2;
    }
    uint64_t xcr0 = read_xcr0();
    if ((xcr0 & (XCR0_SSE | XCR0_AVX)) != (XCR0_SSE | XCR0_AVX)) {
        return GD_TIER_SSE2;
    }
    if (__get_cpuid_max(0, NULL) < 7) {
        return GD_TIER_SSE2;
    }
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const int avx2 = (ebx >> 5) & 1;
    const int avx512f = (ebx >> 16) & 1;
    if (avx512f && (xcr0 & XCR0_AVX512) == XCR0_AVX512) {
        return GD_TIER_AVX512;
    }
    return avx2 ? GD_TIER_AVX2 : GD_TIER_SSE2;
}
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif

static int32_t hardware_tier(void) {
    return (getauxval(AT_HWCAP) & HWCAP_ASIMD) ? GD_TIER_NEON : GD_TIER_SCALAR;
}
#else
static int32_t hardware_tier(void) {
    return GD_TIER_SCALAR;
}
#endif

static const char *const TIER_NAMES[] = {"scalar", "sse2", "avx2", "avx512", "neon"};

const char *gd_tier_name(int32_t tier) {
    if (tier < GD_TIER_SCALAR || tier > GD_TIER_NEON) {
        return "unknown";
    }
    return TIER_NAMES[tier];
}

/* The cap from GRADDROP_MAX_TIER: a tier name or number; unset or unknown means no cap. */
static int32_t tier_cap(void) {
    const char *value = getenv("GRADDROP_MAX_TIER");
    if (value == NULL || *value == '\0') {
        return -1;
    }
    for (int32_t tier = GD_TIER_SCALAR; tier <= GD_TIER_NEON; tier++) {
        if (strcasecmp(value, TIER_NAMES[tier]) == 0) {
            return tier;
        }
    }
    char *end;
    long number = strtol(value, &end, 10);
    if (*end == '\0' && number >= GD_TIER_SCALAR && number <= GD_TIER_NEON) {
        return (int32_t) number;
    }
    return -1;
}

/*
 * The x86 tiers are ordered scalar < sse2 < avx2 < avx512, while NEON is the only tier above
 * scalar on AArch64, so a cap other than "neon" leaves AArch64 on scalar.
 */
static int32_t capped(int32_t hardware, int32_t cap) {
    if (cap < 0) {
        return hardware;
    }
    if (hardware == GD_TIER_NEON) {
        return cap == GD_TIER_NEON ? GD_TIER_NEON : GD_TIER_SCALAR;
    }
    return cap < hardware ? cap : hardware;
}

static int32_t active_tier = -1;
static const gd_kernels *active_kernels;

static const gd_kernels *kernels_of(int32_t tier) {
    switch (tier) {
#if defined(__x86_64__) || defined(_M_X64)
    case GD_TIER_SSE2:
        return &gd_kernels_sse2;
    case GD_TIER_AVX2:
        return &gd_kernels_avx2;
    case GD_TIER_AVX512:
        return &gd_kernels_avx512;
#endif
#if defined(__aarch64__)
    case GD_TIER_NEON:
        return &gd_kernels_neon;
#endif
    default:
        return &gd_kernels_scalar;
    }
}

__attribute__((constructor)) static void choose_tier(void) {
    active_tier = capped(hardware_tier(), tier_cap());
    active_kernels = kernels_of(active_tier);
}

int32_t gd_active_tier(void) {
    return active_tier;
}

const gd_kernels *gd_active_kernels(void) {
    return active_kernels;
}

int32_t gd_tier(void) {
    return active_tier;
}

static int32_t online_processors = 1;

/* Read once: sysconf reads a file under /sys on Linux, which costs microseconds per call. */
__attribute__((constructor)) static void count_processors(void) {
    long count = sysconf(_SC_NPROCESSORS_ONLN);
    online_processors = count < 1 ? 1 : (int32_t) (count > GD_MAX_THREADS ? GD_MAX_THREADS : count);
}

int32_t gd_online_processors(void) {
    return online_processors;
}
