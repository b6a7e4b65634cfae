/* Vector operations on 8 floats with AVX2 (no FMA: every product is rounded before the add). */
#ifndef GD_VEC_H
#define GD_VEC_H

#include <immintrin.h>
#include <stdint.h>

#define VW 8

typedef __m256 V;
typedef __m256 M;

static inline V v_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void v_store(float *p, V v) { _mm256_storeu_ps(p, v); }
/* A non-temporal store; p is 32-byte aligned. */
static inline void v_stream(float *p, V v) { _mm256_stream_ps(p, v); }
static inline V v_set1(float x) { return _mm256_set1_ps(x); }
static inline V v_add(V a, V b) { return _mm256_add_ps(a, b); }
static inline V v_sub(V a, V b) { return _mm256_sub_ps(a, b); }
static inline V v_mul(V a, V b) { return _mm256_mul_ps(a, b); }
static inline V v_div(V a, V b) { return _mm256_div_ps(a, b); }
static inline V v_abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
static inline V v_neg(V a) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), a); }

/* -0.0f where m holds, +0.0f elsewhere: xor with it negates those lanes. */
static inline V v_sign_where(M m) { return _mm256_and_ps(m, _mm256_set1_ps(-0.0f)); }
static inline V v_xor(V a, V b) { return _mm256_xor_ps(a, b); }

/* Ordered, quiet predicates: false when either side is NaN, like Java's comparisons. */
static inline M m_gt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline M m_ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
static inline M m_lt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline M m_le(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
static inline M m_eq(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
static inline M m_and(M a, M b) { return _mm256_and_ps(a, b); }
static inline M m_or(M a, M b) { return _mm256_or_ps(a, b); }
static inline M m_and_gt(M m, V a, V b) { return m_and(m, m_gt(a, b)); }
static inline M m_none(void) { return _mm256_setzero_ps(); }
static inline int m_count(M m) { return __builtin_popcount((unsigned) _mm256_movemask_ps(m)); }

static inline V v_blend(M m, V a, V b) { return _mm256_blendv_ps(a, b, m); }

static inline V v_signum(V a) {
    M nonzero = _mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_NEQ_OQ);
    V one = _mm256_or_ps(_mm256_and_ps(a, _mm256_set1_ps(-0.0f)), _mm256_set1_ps(1.0f));
    return _mm256_blendv_ps(a, one, nonzero);
}

static inline V v_floor(V y) { return _mm256_round_ps(y, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }

static inline V v_pow2(V n) {
    __m256i e = _mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
}

static inline void v_store_square(double *dst, V x) {
    __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
    __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
    _mm256_storeu_pd(dst, _mm256_mul_pd(lo, lo));
    _mm256_storeu_pd(dst + 4, _mm256_mul_pd(hi, hi));
}

static inline void v_add_square(double *dst, V x) {
    __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
    __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
    _mm256_storeu_pd(dst, _mm256_add_pd(_mm256_loadu_pd(dst), _mm256_mul_pd(lo, lo)));
    _mm256_storeu_pd(dst + 4, _mm256_add_pd(_mm256_loadu_pd(dst + 4), _mm256_mul_pd(hi, hi)));
}

#endif
