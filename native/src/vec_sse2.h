/* Vector operations on 4 floats with SSE2, the x86-64 baseline. */
#ifndef GD_VEC_H
#define GD_VEC_H

#include <emmintrin.h>
#include <stdint.h>

#define VW 4

typedef __m128 V;
typedef __m128 M;

static inline V v_load(const float *p) { return _mm_loadu_ps(p); }
static inline void v_store(float *p, V v) { _mm_storeu_ps(p, v); }
/* A non-temporal store; p is 16-byte aligned. */
static inline void v_stream(float *p, V v) { _mm_stream_ps(p, v); }
static inline V v_set1(float x) { return _mm_set1_ps(x); }
static inline V v_add(V a, V b) { return _mm_add_ps(a, b); }
static inline V v_sub(V a, V b) { return _mm_sub_ps(a, b); }
static inline V v_mul(V a, V b) { return _mm_mul_ps(a, b); }
static inline V v_div(V a, V b) { return _mm_div_ps(a, b); }
static inline V v_abs(V a) { return _mm_andnot_ps(_mm_set1_ps(-0.0f), a); }
static inline V v_neg(V a) { return _mm_xor_ps(_mm_set1_ps(-0.0f), a); }

/* -0.0f where m holds, +0.0f elsewhere: xor with it negates those lanes. */
static inline V v_sign_where(M m) { return _mm_and_ps(m, _mm_set1_ps(-0.0f)); }
static inline V v_xor(V a, V b) { return _mm_xor_ps(a, b); }

/* The ordered predicates, false when either side is NaN, like Java's comparisons. */
static inline M m_gt(V a, V b) { return _mm_cmpgt_ps(a, b); }
static inline M m_ge(V a, V b) { return _mm_cmpge_ps(a, b); }
static inline M m_lt(V a, V b) { return _mm_cmplt_ps(a, b); }
static inline M m_le(V a, V b) { return _mm_cmple_ps(a, b); }
static inline M m_eq(V a, V b) { return _mm_cmpeq_ps(a, b); }
static inline M m_and(M a, M b) { return _mm_and_ps(a, b); }
static inline M m_or(M a, M b) { return _mm_or_ps(a, b); }
static inline M m_and_gt(M m, V a, V b) { return m_and(m, m_gt(a, b)); }
static inline M m_none(void) { return _mm_setzero_ps(); }
static inline int m_count(M m) { return __builtin_popcount((unsigned) _mm_movemask_ps(m)); }

static inline V v_blend(M m, V a, V b) { return _mm_or_ps(_mm_and_ps(m, b), _mm_andnot_ps(m, a)); }

static inline V v_signum(V a) {
    M nonzero = _mm_or_ps(_mm_cmpgt_ps(a, _mm_setzero_ps()), _mm_cmplt_ps(a, _mm_setzero_ps()));
    V one = _mm_or_ps(_mm_and_ps(a, _mm_set1_ps(-0.0f)), _mm_set1_ps(1.0f));
    return v_blend(nonzero, a, one);
}

/* Truncates, then steps down where truncation rounded up; exact below 2^23 in magnitude. */
static inline V v_floor(V y) {
    V t = _mm_cvtepi32_ps(_mm_cvttps_epi32(y));
    return _mm_sub_ps(t, _mm_and_ps(_mm_cmpgt_ps(t, y), _mm_set1_ps(1.0f)));
}

static inline V v_pow2(V n) {
    __m128i e = _mm_add_epi32(_mm_cvttps_epi32(n), _mm_set1_epi32(127));
    return _mm_castsi128_ps(_mm_slli_epi32(e, 23));
}

static inline void v_store_square(double *dst, V x) {
    __m128d lo = _mm_cvtps_pd(x);
    __m128d hi = _mm_cvtps_pd(_mm_movehl_ps(x, x));
    _mm_storeu_pd(dst, _mm_mul_pd(lo, lo));
    _mm_storeu_pd(dst + 2, _mm_mul_pd(hi, hi));
}

static inline void v_add_square(double *dst, V x) {
    __m128d lo = _mm_cvtps_pd(x);
    __m128d hi = _mm_cvtps_pd(_mm_movehl_ps(x, x));
    _mm_storeu_pd(dst, _mm_add_pd(_mm_loadu_pd(dst), _mm_mul_pd(lo, lo)));
    _mm_storeu_pd(dst + 2, _mm_add_pd(_mm_loadu_pd(dst + 2), _mm_mul_pd(hi, hi)));
}

#endif
