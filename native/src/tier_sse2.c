/* The SSE2 tier, the x86-64 baseline: 4 lanes. Compiled with -msse2 only. */
#include <string.h>

#include "gd_internal.h"
#include "philox.h"
#include "vec_sse2.h"

#define KERNEL(name) gd_sse2_##name
#include "kernel_body.h"

#define LANES 4
typedef __m128i VI;

static inline VI vi_set1(uint32_t x) { return _mm_set1_epi32((int32_t) x); }
static inline VI vi_counters(uint32_t low) { return _mm_add_epi32(vi_set1(low), _mm_setr_epi32(0, 1, 2, 3)); }
static inline VI vi_xor3(VI a, VI b, VI c) { return _mm_xor_si128(_mm_xor_si128(a, b), c); }

/* 32 x 32 -> 64-bit products of every lane, split into high and low words. */
static inline void vi_mulhilo(VI a, uint32_t m, VI *hi, VI *lo) {
    VI factor = vi_set1(m);
    VI even = _mm_mul_epu32(a, factor);
    VI odd = _mm_mul_epu32(_mm_srli_epi64(a, 32), factor);
    VI low_words = _mm_set1_epi64x(0xffffffff);
    *hi = _mm_or_si128(_mm_srli_epi64(even, 32), _mm_andnot_si128(low_words, odd));
    *lo = _mm_or_si128(_mm_and_si128(even, low_words), _mm_slli_epi64(odd, 32));
}

static inline __m128 vi_uniform(VI w) {
    return _mm_mul_ps(_mm_cvtepi32_ps(_mm_srli_epi32(w, 8)), _mm_set1_ps(GD_TWO_POW_MINUS_24));
}

static inline void vi_store_uniform(float *out, VI w0, VI w1, VI w2, VI w3) {
    __m128 r0 = vi_uniform(w0), r1 = vi_uniform(w1), r2 = vi_uniform(w2), r3 = vi_uniform(w3);
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    _mm_storeu_ps(out, r0);
    _mm_storeu_ps(out + 4, r1);
    _mm_storeu_ps(out + 8, r2);
    _mm_storeu_ps(out + 12, r3);
}

#include "philox_body.h"

static void sse2_scale(float *data, int64_t n, float factor) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        _mm_storeu_ps(data + i, _mm_mul_ps(_mm_loadu_ps(data + i), _mm_set1_ps(factor)));
    }
    for (; i < n; i++) {
        data[i] = data[i] * factor;
    }
}

static int64_t sse2_find_nonfinite(const float *x, int64_t n) {
    const __m128i exponent = _mm_set1_epi32(0x7f800000);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128i bits = _mm_and_si128(_mm_loadu_si128((const __m128i *) (x + i)), exponent);
        int found = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(bits, exponent)));
        if (found) {
            return i + __builtin_ctz((unsigned) found);
        }
    }
    for (; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, x + i, sizeof bits);
        if ((bits & 0x7f800000u) == 0x7f800000u) {
            return i;
        }
    }
    return -1;
}

const gd_kernels gd_kernels_sse2 = {
    gd_sse2_fused, gd_sse2_batched, gd_sse2_philox, sse2_scale, sse2_find_nonfinite,
};
