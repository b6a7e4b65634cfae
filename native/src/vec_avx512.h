/* Vector operations on 16 floats with AVX-512F, with mask registers for the comparisons. */
#ifndef GD_VEC_H
#define GD_VEC_H

#include <immintrin.h>
#include <stdint.h>

#define VW 16

typedef __m512 V;
typedef __mmask16 M;

static inline V v_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void v_store(float *p, V v) { _mm512_storeu_ps(p, v); }
/* A non-temporal store; p is 64-byte aligned. */
static inline void v_stream(float *p, V v) { _mm512_stream_ps(p, v); }
static inline V v_set1(float x) { return _mm512_set1_ps(x); }
static inline V v_add(V a, V b) { return _mm512_add_ps(a, b); }
static inline V v_sub(V a, V b) { return _mm512_sub_ps(a, b); }
static inline V v_mul(V a, V b) { return _mm512_mul_ps(a, b); }
static inline V v_div(V a, V b) { return _mm512_div_ps(a, b); }

static inline V v_abs(V a) {
    return _mm512_castsi512_ps(_mm512_and_epi32(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff)));
}

static inline V v_neg(V a) {
    return _mm512_castsi512_ps(_mm512_xor_epi32(_mm512_castps_si512(a), _mm512_set1_epi32((int32_t) 0x80000000u)));
}

/* -0.0f where m holds, +0.0f elsewhere: xor with it negates those lanes. */
static inline V v_sign_where(M m) {
    return _mm512_castsi512_ps(_mm512_maskz_mov_epi32(m, _mm512_set1_epi32((int32_t) 0x80000000u)));
}

static inline V v_xor(V a, V b) {
    return _mm512_castsi512_ps(_mm512_xor_epi32(_mm512_castps_si512(a), _mm512_castps_si512(b)));
}

/* Ordered, quiet predicates: false when either side is NaN, like Java's comparisons. */
static inline M m_gt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline M m_ge(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
static inline M m_lt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline M m_le(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
static inline M m_eq(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
/* m and a > b, as one masked comparison. */
static inline M m_and_gt(M m, V a, V b) { return _mm512_mask_cmp_ps_mask(m, a, b, _CMP_GT_OQ); }
static inline M m_and(M a, M b) { return (M) (a & b); }
static inline M m_or(M a, M b) { return (M) (a | b); }
static inline M m_none(void) { return 0; }
static inline int m_count(M m) { return __builtin_popcount((unsigned) m); }

static inline V v_blend(M m, V a, V b) { return _mm512_mask_blend_ps(m, a, b); }

static inline V v_signum(V a) {
    M nonzero = _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_NEQ_OQ);
    __m512i sign = _mm512_and_epi32(_mm512_castps_si512(a), _mm512_set1_epi32((int32_t) 0x80000000u));
    V one = _mm512_castsi512_ps(_mm512_or_epi32(sign, _mm512_set1_epi32(0x3f800000)));
    return _mm512_mask_blend_ps(nonzero, a, one);
}

static inline V v_floor(V y) { return _mm512_roundscale_ps(y, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }

static inline V v_pow2(V n) {
    __m512i e = _mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
}

static inline __m256 v_high_half(V x) {
    return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1));
}

static inline void v_store_square(double *dst, V x) {
    __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(x));
    __m512d hi = _mm512_cvtps_pd(v_high_half(x));
    _mm512_storeu_pd(dst, _mm512_mul_pd(lo, lo));
    _mm512_storeu_pd(dst + 8, _mm512_mul_pd(hi, hi));
}

static inline void v_add_square(double *dst, V x) {
    __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(x));
    __m512d hi = _mm512_cvtps_pd(v_high_half(x));
    _mm512_storeu_pd(dst, _mm512_add_pd(_mm512_loadu_pd(dst), _mm512_mul_pd(lo, lo)));
    _mm512_storeu_pd(dst + 8, _mm512_add_pd(_mm512_loadu_pd(dst + 8), _mm512_mul_pd(hi, hi)));
}

#endif
