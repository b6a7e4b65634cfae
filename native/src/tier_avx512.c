/* The AVX-512 tier: 16 lanes. Compiled with -mavx512f only (no FMA contraction). */
#include <string.h>

#include "gd_internal.h"
#include "philox.h"
#include "vec_avx512.h"

#define KERNEL(name) gd_avx512_##name
#include "kernel_body.h"

#define LANES 16
typedef __m512i VI;

static inline VI vi_set1(uint32_t x) { return _mm512_set1_epi32((int32_t) x); }
static inline VI vi_counters(uint32_t low) {
    return _mm512_add_epi32(vi_set1(low), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}
/* 0x96 is the truth table of a ^ b ^ c: one instruction for the two xors of a round. */
static inline VI vi_xor3(VI a, VI b, VI c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }

/*
 * The even lanes' products come from one vpmuludq, the odd lanes' from another; a masked dword
 * shuffle then moves each product's half into place, instead of a shift and a blend.
 */
static inline void vi_mulhilo(VI a, uint32_t m, VI *hi, VI *lo) {
    VI factor = vi_set1(m);
    VI even = _mm512_mul_epu32(a, factor);
    VI odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), factor);
    *hi = _mm512_mask_shuffle_epi32(odd, 0x5555, even, _MM_PERM_DDBB);
    *lo = _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CCAA);
}

static inline __m512 vi_uniform(VI w) {
    return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w, 8)), _mm512_set1_ps(GD_TWO_POW_MINUS_24));
}

/* Transposes 4 x 4 inside each 128-bit lane, then gathers the lanes into counter order. */
static inline void vi_store_uniform(float *out, VI w0, VI w1, VI w2, VI w3) {
    __m512 t0 = _mm512_unpacklo_ps(vi_uniform(w0), vi_uniform(w1));
    __m512 t1 = _mm512_unpackhi_ps(vi_uniform(w0), vi_uniform(w1));
    __m512 t2 = _mm512_unpacklo_ps(vi_uniform(w2), vi_uniform(w3));
    __m512 t3 = _mm512_unpackhi_ps(vi_uniform(w2), vi_uniform(w3));
    __m512 r0 = _mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)); /* counters 0 | 4 | 8 | 12 */
    __m512 r1 = _mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)); /* counters 1 | 5 | 9 | 13 */
    __m512 r2 = _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)); /* counters 2 | 6 | 10 | 14 */
    __m512 r3 = _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)); /* counters 3 | 7 | 11 | 15 */
    __m512 even01 = _mm512_shuffle_f32x4(r0, r1, _MM_SHUFFLE(2, 0, 2, 0)); /* 0 8 1 9 */
    __m512 even23 = _mm512_shuffle_f32x4(r2, r3, _MM_SHUFFLE(2, 0, 2, 0)); /* 2 10 3 11 */
    __m512 odd01 = _mm512_shuffle_f32x4(r0, r1, _MM_SHUFFLE(3, 1, 3, 1));  /* 4 12 5 13 */
    __m512 odd23 = _mm512_shuffle_f32x4(r2, r3, _MM_SHUFFLE(3, 1, 3, 1));  /* 6 14 7 15 */
    _mm512_storeu_ps(out, _mm512_shuffle_f32x4(even01, even23, _MM_SHUFFLE(2, 0, 2, 0)));
    _mm512_storeu_ps(out + 16, _mm512_shuffle_f32x4(odd01, odd23, _MM_SHUFFLE(2, 0, 2, 0)));
    _mm512_storeu_ps(out + 32, _mm512_shuffle_f32x4(even01, even23, _MM_SHUFFLE(3, 1, 3, 1)));
    _mm512_storeu_ps(out + 48, _mm512_shuffle_f32x4(odd01, odd23, _MM_SHUFFLE(3, 1, 3, 1)));
}

/* Four groups of state take 16 of the 32 vector registers. */
#define PHILOX_GROUPS 4
#include "philox_body.h"

static void avx512_scale(float *data, int64_t n, float factor) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        _mm512_storeu_ps(data + i, _mm512_mul_ps(_mm512_loadu_ps(data + i), _mm512_set1_ps(factor)));
    }
    for (; i < n; i++) {
        data[i] = data[i] * factor;
    }
}

static int64_t avx512_find_nonfinite(const float *x, int64_t n) {
    const __m512i exponent = _mm512_set1_epi32(0x7f800000);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i bits = _mm512_and_epi32(_mm512_loadu_si512((const void *) (x + i)), exponent);
        __mmask16 found = _mm512_cmpeq_epi32_mask(bits, exponent);
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

const gd_kernels gd_kernels_avx512 = {
    gd_avx512_fused, gd_avx512_batched, gd_avx512_philox, avx512_scale, avx512_find_nonfinite,
};
