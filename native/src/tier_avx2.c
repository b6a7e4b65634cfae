/* The AVX2 tier: 8 lanes. Compiled with -mavx2 only (no -mfma, so no product is fused). */
#include <string.h>

#include "gd_internal.h"
#include "philox.h"
#include "vec_avx2.h"

#define KERNEL(name) gd_avx2_##name
#include "kernel_body.h"

#define LANES 8
typedef __m256i VI;

static inline VI vi_set1(uint32_t x) { return _mm256_set1_epi32((int32_t) x); }
static inline VI vi_counters(uint32_t low) {
    return _mm256_add_epi32(vi_set1(low), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline VI vi_xor3(VI a, VI b, VI c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }

static inline void vi_mulhilo(VI a, uint32_t m, VI *hi, VI *lo) {
    VI factor = vi_set1(m);
    VI even = _mm256_mul_epu32(a, factor);
    VI odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), factor);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

static inline __m256 vi_uniform(VI w) {
    return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(w, 8)), _mm256_set1_ps(GD_TWO_POW_MINUS_24));
}

/* Lane l of word vector w holds word w of counter l; the output wants counter-major order. */
static inline void vi_store_uniform(float *out, VI w0, VI w1, VI w2, VI w3) {
    __m256 t0 = _mm256_unpacklo_ps(vi_uniform(w0), vi_uniform(w1));
    __m256 t1 = _mm256_unpackhi_ps(vi_uniform(w0), vi_uniform(w1));
    __m256 t2 = _mm256_unpacklo_ps(vi_uniform(w2), vi_uniform(w3));
    __m256 t3 = _mm256_unpackhi_ps(vi_uniform(w2), vi_uniform(w3));
    __m256 r0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)); /* counters 0 | 4 */
    __m256 r1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)); /* counters 1 | 5 */
    __m256 r2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)); /* counters 2 | 6 */
    __m256 r3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)); /* counters 3 | 7 */
    _mm256_storeu_ps(out, _mm256_permute2f128_ps(r0, r1, 0x20));
    _mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(r2, r3, 0x20));
    _mm256_storeu_ps(out + 16, _mm256_permute2f128_ps(r0, r1, 0x31));
    _mm256_storeu_ps(out + 24, _mm256_permute2f128_ps(r2, r3, 0x31));
}

#include "philox_body.h"

static void avx2_scale(float *data, int64_t n, float factor) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(data + i, _mm256_mul_ps(_mm256_loadu_ps(data + i), _mm256_set1_ps(factor)));
    }
    for (; i < n; i++) {
        data[i] = data[i] * factor;
    }
}

static int64_t avx2_find_nonfinite(const float *x, int64_t n) {
    const __m256i exponent = _mm256_set1_epi32(0x7f800000);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i bits = _mm256_and_si256(_mm256_loadu_si256((const __m256i *) (x + i)), exponent);
        int found = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(bits, exponent)));
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

const gd_kernels gd_kernels_avx2 = {
    gd_avx2_fused, gd_avx2_batched, gd_avx2_philox, avx2_scale, avx2_find_nonfinite,
};
